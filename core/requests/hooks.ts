/**
 * Hooks: functions called with each response before the caller sees it, like Requests' hooks.
 *
 *   await session.get(url, { hooks: { response: (r) => console.log(r.statusCode) } });
 *
 * A hook may return a replacement Response (synchronously or as a promise); returning nothing
 * keeps the one it was given.
 */
import type { Response } from './models.ts';
import type { SendOptions } from './adapters.ts';

export const HOOKS = ['response'] as const;
export type HookEvent = (typeof HOOKS)[number];

export type ResponseHook = (
  response: Response,
  options: SendOptions & Record<string, unknown>,
) => Response | void | undefined | Promise<Response | void | undefined>;

/** What callers pass: one function or a list per event. */
export type HooksInit = { response?: ResponseHook | ResponseHook[] | null };

/** The normalised form kept on requests and sessions. */
export type Hooks = { response: ResponseHook[] };

export function defaultHooks(): Hooks {
  return { response: [] };
}

/** `init` as lists of functions; throws a TypeError naming an unknown event or a non-function. */
export function normaliseHooks(init: HooksInit | Hooks | null | undefined): Hooks {
  const hooks = defaultHooks();
  if (!init) return hooks;
  // Every request normalises its session's hooks, which are nearly always an empty list.
  const only = (init as { response?: unknown }).response;
  if (Array.isArray(only) && only.length === 0 && Object.keys(init).length === 1) return hooks;
  for (const [event, value] of Object.entries(init)) {
    if (!(HOOKS as readonly string[]).includes(event)) {
      throw new TypeError(`unknown hook event "${event}"; expected one of: ${HOOKS.join(', ')}`);
    }
    if (value == null) continue;
    const list = Array.isArray(value) ? value : [value];
    for (const fn of list) {
      if (typeof fn !== 'function') throw new TypeError(`hooks.${event} must be a function or a list of functions`);
      hooks.response.push(fn as ResponseHook);
    }
  }
  return hooks;
}

/** Calls each hook in turn; a hook's returned Response replaces the one passed to the next. */
export async function dispatchHook(
  event: HookEvent,
  hooks: HooksInit | Hooks | null | undefined,
  response: Response,
  options: SendOptions & Record<string, unknown> = {},
): Promise<Response> {
  let current = response;
  for (const hook of normaliseHooks(hooks)[event]) {
    const replaced = await hook(current, options);
    if (replaced) current = replaced;
  }
  return current;
}
