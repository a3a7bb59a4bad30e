/**
 * The persisted history of exchanges, newest first. No `vscode` in here: the extension hands in
 * a directory (its workspace storage) and the settings.
 *
 *   const history = new HistoryStore({ dir, maxEntries: 500 });
 *   await history.load();            // recovers from a crash mid-write or a corrupt file
 *   await history.add(exchange);     // redacted, capped, written atomically
 *
 * Credentials (Authorization, Proxy-Authorization, Cookie, Set-Cookie) are redacted unless
 * `keepCredentials`; secret values (from SecretStorage) are never written, whatever the setting.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { exchangeFromJSON, exchangeToJSON } from '../core/requests/exchange.ts';
import type { Exchange, ExchangeBody } from '../core/requests/exchange.ts';
import { REDACTED, redactExchange, scrubValues } from '../core/requests/redact.ts';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.ts';

export { REDACTED };
const FILE_NAME = 'history.json';
const FORMAT_VERSION = 1;

export interface HistoryStoreOptions {
  /** Folder the history file lives in (created when needed). */
  dir: string;
  /** Entries kept; the oldest are dropped first. */
  maxEntries: number;
  /** Bytes of each response/request body kept in history (default 1 MiB); the rest is marked truncated. */
  maxBodyBytes?: number;
  keepCredentials?: boolean;
  /** Values that must never reach the disk (environment secrets); replaced wherever they appear. */
  secrets?: () => Iterable<string>;
  /** Something the user should be told, e.g. that a corrupt file was moved aside. */
  onWarning?: (message: string) => void;
}

export class HistoryStore {
  readonly file: string;
  #options: HistoryStoreOptions;
  #entries: Exchange[] = [];
  #writing: Promise<void> = Promise.resolve();
  #listeners = new Set<() => void>();

  constructor(options: HistoryStoreOptions) {
    this.#options = { ...options };
    this.file = path.join(options.dir, FILE_NAME);
  }

  /** Newest first. */
  get entries(): readonly Exchange[] {
    return this.#entries;
  }

  get(id: string): Exchange | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** Called after every change (add, clear, load). Returns an unsubscribe function. */
  onDidChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  configure(options: Partial<Pick<HistoryStoreOptions, 'maxEntries' | 'keepCredentials' | 'maxBodyBytes'>>): void {
    Object.assign(this.#options, options);
  }

  /**
   * Reads the file. A leftover temp file (crash mid-write) is removed: the file it was meant to
   * replace is still whole. A file that cannot be read as history is moved aside as
   * `history.json.corrupt-<time>` (never deleted) and the user is warned.
   */
  async load(): Promise<readonly Exchange[]> {
    await removeStaleTemps(this.file);
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#entries = [];
        this.#emit();
        return this.#entries;
      }
      throw error;
    }
    try {
      this.#entries = parseHistory(text);
    } catch (error) {
      const aside = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fs.rename(this.file, aside);
      this.#entries = [];
      this.#options.onWarning?.(
        `Ricochet history could not be read (${(error as Error).message}); it was moved to ${aside} and a new history was started.`,
      );
    }
    this.#emit();
    return this.#entries;
  }

  /** Adds an exchange (redacted as configured) and saves. Resolves once it is on disk. */
  add(exchange: Exchange): Promise<void> {
    const stored = this.#prepare(exchange);
    this.#entries = [stored, ...this.#entries.filter((e) => e.id !== stored.id)].slice(0, Math.max(0, this.#options.maxEntries));
    this.#emit();
    return this.#save();
  }

  clear(): Promise<void> {
    this.#entries = [];
    this.#emit();
    return this.#save();
  }

  /** Waits for pending writes. */
  flush(): Promise<void> {
    return this.#writing;
  }

  #save(): Promise<void> {
    const snapshot = this.#entries;
    const run = async (): Promise<void> => {
      const data = { version: FORMAT_VERSION, entries: snapshot.map(exchangeToJSON) };
      await writeFileAtomic(this.file, JSON.stringify(data));
    };
    // Writes are serialised so an older snapshot can never land after a newer one.
    this.#writing = this.#writing.then(run, run);
    return this.#writing;
  }

  #prepare(exchange: Exchange): Exchange {
    const copy = exchangeFromJSON(exchangeToJSON(plainBytes(exchange) as Exchange));
    const maxBody = this.#options.maxBodyBytes ?? 1024 * 1024;
    if (copy.body) copy.body = { ...copy.body, ...capBody(copy.body, maxBody) };
    for (const hop of copy.hops) if (hop.request.body) hop.request.body = capBody(hop.request.body, maxBody);
    const secrets = [...(this.#options.secrets?.() ?? [])];
    // The core decides what a credential is (shared with the CLI); secrets go whatever the setting.
    if (!this.#options.keepCredentials) return redactExchange(copy, { secrets });
    return secrets.length ? scrubValues(copy, secrets.filter((v) => v.length >= 4)) : copy;
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

function parseHistory(text: string): Exchange[] {
  const data: unknown = JSON.parse(text);
  if (!data || typeof data !== 'object' || !('entries' in data) || !Array.isArray(data.entries)) {
    throw new TypeError('expected {"version": 1, "entries": [...]}');
  }
  return data.entries.map((entry: unknown, i: number) => {
    try {
      return exchangeFromJSON(entry);
    } catch (error) {
      throw new TypeError(`entry ${i}: ${(error as Error).message}`);
    }
  });
}

/**
 * Node Buffers (a Uint8Array subclass) have a `toJSON` that JSON.stringify calls before any
 * replacer sees them, so they would be stored as {type:'Buffer', data:[…]}; make them plain.
 */
function plainBytes(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(plainBytes);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainBytes(v)]));
  return value;
}

function capBody<B extends ExchangeBody>(body: B, max: number): B {
  if (body.bytes.length <= max) return body;
  return { ...body, bytes: body.bytes.slice(0, max), truncated: true };
}
