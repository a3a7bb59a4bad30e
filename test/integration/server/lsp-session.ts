/**
 * Drives Ricochet's language server the way an editor does: spawns `extension/server/main.ts`
 * with this Node (`--stdio`) and speaks LSP's JSON-RPC over its pipes, Content-Length framing
 * and all. Used by the server tests and by `bench/lsp-latency.ts`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SERVER = path.resolve(import.meta.dirname, '../../../extension/server/main.ts');

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  method: string;
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; message: string; severity?: number; code?: string | number }>;
}

export class LspSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly versions = new Map<string, number>();
  private readonly diagnosticWaiters: Array<{ test: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }> = [];
  /** Last diagnostics published per uri. */
  readonly diagnostics = new Map<string, PublishedDiagnostics>();
  stderr = '';

  constructor() {
    this.child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`server exited (${code}) during ${p.method}; stderr:\n${this.stderr}`));
      this.pending.clear();
    });
  }

  static async start(options: { rootDir?: string; initializationOptions?: unknown } = {}): Promise<LspSession> {
    const session = new LspSession();
    const rootUri = options.rootDir ? pathToFileURL(options.rootDir).href : null;
    const result = (await session.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'root' }] : null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, completion: { completionItem: { snippetSupport: true } } } },
      initializationOptions: options.initializationOptions,
    })) as { capabilities: Record<string, unknown> };
    session.capabilities = result.capabilities;
    session.notify('initialized', {});
    return session;
  }

  capabilities: Record<string, unknown> = {};

  /** CPU time the server process has used so far, in ms (Linux /proc; undefined elsewhere). */
  serverCpuMs(): number | undefined {
    try {
      const fields = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method }));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'http', version: 1, text } });
  }

  /** An incremental edit: replace `range` by `text`. Returns the new version. */
  change(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): number {
    return this.changeMany(uri, [{ range, text }]);
  }

  /** Several edits in one didChange, each in the coordinates left by the one before (as LSP says). */
  changeMany(uri: string, contentChanges: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return version;
  }

  /** Resolves with the next diagnostics for `uri` (at `version` or later when given). */
  nextDiagnostics(uri: string, version?: number, timeoutMs = 20000): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version ?? '?'} within ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      this.diagnosticWaiters.push({
        test: (p) => p.uri === uri && (version === undefined || (p.version ?? 0) >= version),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  at(uri: string, line: number, character: number) {
    return { textDocument: { uri }, position: { line, character } };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string; code: number } });
    }
  }

  private dispatch(message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string; code: number } }): void {
    if (message.method && message.id !== undefined) {
      // A request from the server (workspace/configuration, client/registerCapability …): accept it.
      this.send({ jsonrpc: '2.0', id: message.id, result: null });
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const p = message.params as PublishedDiagnostics;
      this.diagnostics.set(p.uri, p);
      for (let i = 0; i < this.diagnosticWaiters.length; i++) {
        const w = this.diagnosticWaiters[i]!;
        if (w.test(p)) {
          this.diagnosticWaiters.splice(i--, 1);
          w.resolve(p);
        }
      }
      return;
    }
    if (message.id === undefined) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) {
      const error = new Error(message.error.message) as Error & { code?: number };
      error.code = message.error.code;
      pending.reject(error);
    } else pending.resolve(message.result);
  }
}

export interface Workspace {
  lsp: LspSession;
  dir: string;
  /** `file:` URI of a path inside the workspace. */
  uriOf: (relative: string) => string;
  /** Stops the server and removes the folder. */
  close: () => Promise<void>;
}

/** A temporary workspace folder holding `files`, and a server started on it. */
export async function startInWorkspace(options: { files?: Record<string, string>; initializationOptions?: unknown } = {}): Promise<Workspace> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-lsp-'));
  for (const [relative, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  }
  const lsp = await LspSession.start({ rootDir: dir, initializationOptions: options.initializationOptions });
  return {
    lsp,
    dir,
    uriOf: (relative) => pathToFileURL(path.join(dir, relative)).href,
    close: async () => {
      await lsp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
