/**
 * One `Session` per workspace and environment, so cookies flow from one request to the next and
 * switching environment switches cookie jars. Each jar is saved (atomically) in the workspace
 * storage folder handed in, so cookies survive a reload. Alongside each Session, one long-lived
 * `Runner` per workspace folder + environment keeps the results of named requests, so
 * `{{login.response.body.$.token}}` sends `login` only when it was not sent yet, and a manual
 * send of `login` updates what later requests use. No `vscode` in here.
 *
 *   const sessions = new SessionRegistry({ dir: storage, configure: (s) => { s.proxies = … } });
 *   const s = await sessions.get('dev');   // same Session until clearCookies / dispose
 *   await sessions.withRunner('dev', folder, options, (runner) => runner.runRequest(source, 0));
 *   await sessions.save('dev');            // after a request
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Session } from '../core/requests/sessions.ts';
import { RequestsCookieJar } from '../core/requests/cookies.ts';
import { selectProxy, shouldBypassProxies } from '../core/requests/utils.ts';
import type { PreparedRequest } from '../core/requests/models.ts';
import type { SessionSendOptions } from '../core/requests/sessions.ts';
import type { Response } from '../core/requests/models.ts';
import { Runner } from '../core/language/runner.ts';
import type { RunnerOptions } from '../core/language/runner.ts';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.ts';
import { certificateFor } from './settings.ts';
import type { ClientCertificate, RicochetSettings } from './settings.ts';

const NO_ENV = '(none)';

/** What the caller asked for, kept on options this class changed (redirect hops come back with them). */
const ASKED = Symbol('options before http.noProxy / http.proxyStrictSSL');
type Asked = Pick<SessionSendOptions, 'verify' | 'proxies'>;
type EditorSendOptions = SessionSendOptions & { [ASKED]?: Asked };

/**
 * A Session that picks the client certificate configured for the request's host, and applies
 * VS Code's proxy settings per hop: hosts in `http.noProxy` go direct (the core, like Requests,
 * only applies no_proxy to proxies from the environment), and `http.proxyStrictSSL: false` turns
 * certificate checks off for requests that go through the configured `http.proxy` (as VS Code
 * does for its own requests; corporate proxies often re-sign TLS) — direct ones are verified.
 */
export class EditorSession extends Session {
  clientCertificates: Record<string, ClientCertificate> = {};
  proxyStrictSSL = true;

  override send(request: PreparedRequest, options: EditorSendOptions = {}): Promise<Response> {
    const url = request.url ?? '';
    const cert = options.cert ?? certificateFor(this.clientCertificates, url);
    // A redirect hop arrives with the previous hop's options: decide again from what the caller asked.
    const asked: Asked = options[ASKED] ?? { verify: options.verify, proxies: options.proxies };
    const configured = asked.proxies ?? this.proxies;
    const noProxy = configured.no_proxy;
    const bypass = !!noProxy && shouldBypassProxies(url, noProxy);
    const proxies = bypass ? { no_proxy: noProxy } : asked.proxies;
    const relax = !this.proxyStrictSSL && !bypass && selectProxy(url, configured) !== undefined;
    const out: EditorSendOptions = { ...options, verify: relax ? false : asked.verify, [ASKED]: asked };
    if (proxies) out.proxies = proxies;
    else delete out.proxies;
    if (cert) out.cert = cert;
    return super.send(request, out);
  }
}

/** Puts the session-level settings on a Session: proxies (VS Code's http.proxy), TLS, redirects, client certificates. */
export function applySettings(session: EditorSession, settings: RicochetSettings): void {
  session.proxies = { ...settings.proxies };
  session.verify = settings.verify;
  session.maxRedirects = settings.maxRedirects;
  session.clientCertificates = settings.certificates;
  session.proxyStrictSSL = settings.proxyStrictSSL;
}

export interface SessionRegistryOptions {
  /** Folder for the cookie jars (created when needed). */
  dir: string;
  /** When false, cookies are neither loaded, saved, nor kept between requests. Default true. */
  rememberCookies?: () => boolean;
  /** Applies settings (proxies, certificates…) to a Session; called on creation and on `reconfigure`. */
  configure?: (session: EditorSession) => void;
  onWarning?: (message: string) => void;
}

/** This send's Runner options; the session and environment come from the registry. */
export type SendRunnerOptions = Omit<RunnerOptions, 'session' | 'envName'>;

interface HeldRunner {
  runner: Runner;
  envKey: string;
  busy: boolean;
}

export class SessionRegistry {
  #options: SessionRegistryOptions;
  #sessions = new Map<string, Promise<EditorSession>>();
  #runners = new Map<string, HeldRunner>();

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  /** The Session for an environment (`undefined`: no environment selected). */
  get(envName: string | undefined): Promise<EditorSession> {
    const key = envName ?? NO_ENV;
    let session = this.#sessions.get(key);
    if (!session) {
      session = this.#create(key);
      this.#sessions.set(key, session);
    }
    return session;
  }

  /** Saves the environment's cookie jar (a no-op when cookies are not remembered). */
  async save(envName: string | undefined): Promise<void> {
    const key = envName ?? NO_ENV;
    const session = await this.#sessions.get(key);
    if (!session) return;
    if (!this.#remember()) {
      session.cookies.clear();
      return;
    }
    await writeFileAtomic(this.#jarFile(key), JSON.stringify(session.cookies.toJSON()));
  }

  /**
   * Runs `send` on the Runner of this workspace folder + environment. The Runner lives on between
   * sends (named results are kept); each send gives it this send's options (signal, callbacks,
   * settings). A Runner is not made for overlapping runs, so while it is busy another send gets a
   * Runner of its own for that one send (its dependencies are sent again).
   */
  async withRunner<T>(envName: string | undefined, folder: string | undefined, options: SendRunnerOptions, send: (runner: Runner) => Promise<T>): Promise<T> {
    const envKey = envName ?? NO_ENV;
    const session = await this.get(envName);
    const runnerOptions: RunnerOptions = { ...options, session, ...(envName !== undefined ? { envName } : {}) };
    const key = JSON.stringify([folder ?? '', envKey]);
    let held = this.#runners.get(key);
    if (held && held.runner.session !== session) {
      this.#runners.delete(key);
      await held.runner.close();
      held = undefined;
    }
    if (held?.busy) {
      const own = new Runner(runnerOptions);
      try {
        return await send(own);
      } finally {
        await own.close();
      }
    }
    if (held) {
      // The Runner reads its public `options` object on every use: this send's values replace the last send's.
      const live = held.runner.options as Record<string, unknown>;
      for (const name of Object.keys(live)) delete live[name];
      Object.assign(live, runnerOptions);
    } else {
      held = { runner: new Runner({ ...runnerOptions }), envKey, busy: false };
      this.#runners.set(key, held);
    }
    held.busy = true;
    try {
      return await send(held.runner);
    } finally {
      held.busy = false;
    }
  }

  /** Forgets the named-request results of one environment (every one when none is named): the next send starts afresh. */
  async forgetResults(envName?: string): Promise<void> {
    for (const [key, held] of this.#runners) {
      if (envName !== undefined && held.envKey !== envName) continue;
      this.#runners.delete(key);
      await held.runner.close();
    }
  }

  /**
   * Forgets the cookies of one environment, or of every environment when none is named — and the
   * named-request results too, so a token from before is not used after.
   */
  async clearCookies(envName?: string): Promise<void> {
    await this.forgetResults(envName);
    const keys = envName === undefined ? [...this.#sessions.keys()] : [envName];
    for (const key of keys) (await this.#sessions.get(key))?.cookies.clear();
    if (envName === undefined) await fs.rm(path.join(this.#options.dir, 'cookies'), { recursive: true, force: true });
    else await fs.rm(this.#jarFile(envName), { force: true });
  }

  /** Re-applies `configure` to every live Session (after a settings change). */
  async reconfigure(): Promise<void> {
    for (const session of this.#sessions.values()) this.#options.configure?.(await session);
  }

  async dispose(): Promise<void> {
    await this.forgetResults();
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s).close()));
  }

  #remember(): boolean {
    return this.#options.rememberCookies?.() ?? true;
  }

  #jarFile(key: string): string {
    // Environment names are user text: keep the file name safe and unambiguous.
    return path.join(this.#options.dir, 'cookies', `${encodeURIComponent(key)}.json`);
  }

  async #create(key: string): Promise<EditorSession> {
    const session = new EditorSession();
    this.#options.configure?.(session);
    if (!this.#remember()) return session;
    const file = this.#jarFile(key);
    await removeStaleTemps(file);
    try {
      const jar = RequestsCookieJar.fromJSON(await fs.readFile(file, 'utf8'));
      session.cookies.update(jar);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${file}.corrupt-${Date.now()}`;
        await fs.rename(file, aside).catch(() => undefined);
        this.#options.onWarning?.(`Saved cookies for "${key}" could not be read (${(error as Error).message}); moved to ${aside}.`);
      }
    }
    return session;
  }
}
