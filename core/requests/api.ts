/**
 * The seven request functions, each on a throwaway Session closed afterwards, like `requests.api`.
 *
 *   const r = await requests.get('https://example.com/', { params: { q: 'x' } });
 *
 * With `stream: true` the Session is closed without waiting: its pool shuts once the body has
 * been received (awaiting that here would wait for a body nobody can read yet).
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
  if (response.raw) {
    // Closing lets the request in flight finish first: not awaited, or it would wait for a body
    // nobody can read before this returns. The pool shuts as soon as the body is received.
    session.close().catch(() => {});
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
