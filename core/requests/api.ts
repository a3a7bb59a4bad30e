/**
 * The seven request functions, each on a throwaway Session closed afterwards, like `requests.api`.
 *
 *   const r = await requests.get('https://example.com/', { params: { q: 'x' } });
 *
 * With `stream: true` the Session stays open until the body is read to its end or the response
 * is closed: closing it first would wait for a body nobody can read yet.
 */
import { Session } from './sessions.ts';
import type { RequestOptions } from './sessions.ts';
import type { Response } from './models.ts';

export async function request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
  const session = new Session();
  let response: Response;
  try {
    response = await session.request(method, url, options);
  } catch (error) {
    await session.close();
    throw error;
  }
  const body = response.raw;
  if (body && !body.closed) {
    // Ends with the body: 'close' follows both the last chunk and response.close().
    body.once('close', () => void session.close());
  } else {
    await session.close();
  }
  return response;
}

export function get(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('GET', url, options);
}

export function head(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('HEAD', url, options);
}

export function options(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('OPTIONS', url, options);
}

export function post(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('POST', url, options);
}

export function put(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('PUT', url, options);
}

export function patch(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('PATCH', url, options);
}

function del(url: string, options: RequestOptions = {}): Promise<Response> {
  return request('DELETE', url, options);
}

export { del as delete };
