/**
 * The seven request functions, each on a throwaway Session closed afterwards, like `requests.api`.
 *
 *   const r = await requests.get('https://example.com/', { params: { q: 'x' } });
 */
import { Session } from './sessions.ts';
import type { RequestOptions } from './sessions.ts';
import type { Response } from './models.ts';

export async function request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
  const session = new Session();
  try {
    return await session.request(method, url, options);
  } finally {
    await session.close();
  }
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
