/**
 * `npm run bench`: Ricochet against raw undici and the clients users pick instead, in one run, on
 * 127.0.0.1, the server in its own process and every client in its own process. Prints a table of
 * medians, min–max spread and ratios against `undici.request` from the same run (this machine is
 * noisy: absolute numbers drift, ratios hold) and writes it to `bench/results/<date>.md`.
 *
 *   npm run bench                     full run (a few minutes; 2 GiB streams)
 *   npm run bench -- --quick          smoke run (well under a minute)
 *   npm run bench -- --only=sequential,cookie --rounds=7 --duration=2000 --no-write
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BASELINE, CLIENTS, RICOCHET_CLIENTS, ROOT, STREAM_REFERENCES, loadRicochet, ricochetEntry } from './clients.ts';
import { editorFigures } from './editor.ts';
import type { RoundRequest, RoundResult, Scenario } from './worker.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    only: { type: 'string' },
    'stream-mib': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const quick = args.quick ?? false;
const ROUNDS = Number(args.rounds ?? (quick ? 3 : 7));
const DURATION_MS = Number(args.duration ?? (quick ? 300 : 1000));
const STREAM_BYTES = Number(args['stream-mib'] ?? (quick ? 128 : 2048)) * 1024 * 1024;
const STREAM_ROUNDS = quick ? 1 : 3;
const COLD_ROUNDS = quick ? 3 : 7;
const CONCURRENCY = 50;
const LOAD_AT_START = os.loadavg()[0]?.toFixed(1);
const only = args.only ? new Set(args.only.split(',')) : undefined;
const wanted = (name: string) => !only || only.has(name);

interface ScenarioSpec {
  name: Scenario | 'stream' | 'cold';
  title: string;
  unit: 'req/s' | 'MiB/s' | 'ms';
  /** Ricochet Session's target ratio against undici.request (higher is better except for ms). */
  target?: number;
}

const SCENARIOS: ScenarioSpec[] = [
  { name: 'sequential', title: 'sequential small GET (≈100 B JSON)', unit: 'req/s', target: 0.85 },
  { name: 'concurrent', title: `${CONCURRENCY} concurrent small GETs`, unit: 'req/s', target: 0.8 },
  { name: 'big', title: '1 MiB body, buffered', unit: 'MiB/s', target: 1.0 },
  { name: 'stream', title: `${STREAM_BYTES / 1024 / 1024 >= 1024 ? `${STREAM_BYTES / 1024 ** 3} GiB` : `${STREAM_BYTES / 1024 ** 2} MiB`} streamed download`, unit: 'MiB/s', target: 1.5 },
  { name: 'redirect', title: 'one 302 redirect followed', unit: 'req/s', target: 0.9 },
  { name: 'cookie', title: 'Set-Cookie → Cookie round trip', unit: 'req/s', target: 0.9 },
  { name: 'cold', title: 'cold start: import + first request (process)', unit: 'ms' },
];

const PATHS: Record<Scenario, string> = { sequential: '/small', concurrent: '/small', big: '/big', redirect: '/redirect', cookie: '/cookie' };

interface Row {
  scenario: ScenarioSpec;
  client: string;
  samples: number[];
  peakRssMiB?: number[];
  note?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * The worker is bundled to plain JavaScript first, so client processes pay neither the
 * TypeScript stripping time (cold start) nor its memory (peak RSS); it lives under node_modules
 * so the external packages still resolve.
 */
const WORKER = path.join(ROOT, 'node_modules/.cache/ricochet-bench/worker.mjs');

async function bundleWorker(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'bench/worker.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: WORKER, logLevel: 'warning' });
  process.env.RICOCHET_ROOT = ROOT;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench/server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

class Worker {
  child: ChildProcess;
  name: string;
  #pending: ((result: RoundResult) => void) | undefined;
  ready: Promise<void>;

  constructor(name: string) {
    this.name = name;
    this.child = fork(WORKER, ['serve', name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
      this.child.on('message', (message: RoundResult | 'ready') => {
        if (message === 'ready') return resolve();
        const pending = this.#pending;
        this.#pending = undefined;
        pending?.(message);
      });
    });
  }

  /** One round; a client that does not answer within a minute past the round is killed. */
  round(request: RoundRequest): Promise<RoundResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        this.child.kill('SIGKILL');
        resolve({ ops: 0, bytes: 0, ms: 0, cookieMisses: 0, error: 'hung (no answer within 60 s after the round)' });
      }, request.durationMs + 60_000);
      this.#pending = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
      if (this.child.connected) this.child.send(request);
    });
  }

  close(): void {
    if (this.child.connected) this.child.send('close');
  }
}

/** Runs a Node process to completion (killed after `timeoutMs`: a hung client must not hang the run). */
function runProcess(args: string[], timeoutMs = 600_000): Promise<{ ms: number; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, stdout, code });
    });
  });
}

/** Why a client process failed, in words for the table. */
function exitNote(code: number | null): string {
  if (code === null) return 'killed after the time limit (hung)';
  if (code === 13) return 'exit 13: the body never ended (unsettled await)';
  return `exited with ${code}`;
}

async function throughput(url: string, clients: string[], rows: Row[]): Promise<void> {
  const workers = clients.map((name) => new Worker(name));
  const alive: Worker[] = [];
  for (const worker of workers) {
    try {
      await worker.ready;
      alive.push(worker);
    } catch (error) {
      log(`${worker.name}: ${(error as Error).message} — skipped`);
    }
  }
  for (const spec of SCENARIOS) {
    if (spec.name === 'stream' || spec.name === 'cold' || !wanted(spec.name)) continue;
    const scenario = spec.name;
    const request = (durationMs: number): RoundRequest => ({ scenario, url: `${url}${PATHS[scenario]}`, durationMs, concurrency: CONCURRENCY });
    const byClient = new Map<string, Row>();
    for (const worker of alive) {
      const row: Row = { scenario: spec, client: worker.name, samples: [] };
      byClient.set(worker.name, row);
      rows.push(row);
    }
    log(`${spec.title}: warm-up`);
    for (const worker of alive) {
      // Long enough for the JIT to reach its optimised tiers in every client.
      const result = await worker.round(request(quick ? 300 : 2000));
      if (result.error) {
        const row = byClient.get(worker.name);
        if (row) row.note = result.error;
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no client always runs right after the same neighbour.
      const order = alive.map((_, i) => alive[(i + round) % alive.length] as Worker);
      for (const worker of order) {
        const row = byClient.get(worker.name);
        if (!row || row.note) continue;
        const result = await worker.round(request(DURATION_MS));
        if (result.error) {
          row.note = result.error;
          continue;
        }
        if (scenario === 'cookie' && result.cookieMisses > 0) row.note = `${result.cookieMisses} of ${result.ops} requests did not send the cookie back`;
        const seconds = result.ms / 1000;
        row.samples.push(scenario === 'big' ? result.bytes / 1024 / 1024 / seconds : result.ops / seconds);
      }
    }
    log(`${spec.title}: done`);
  }
  for (const worker of alive) worker.close();
}

async function streams(url: string, clients: string[], rows: Row[]): Promise<void> {
  const spec = SCENARIOS.find((s) => s.name === 'stream');
  if (!spec || !wanted('stream')) return;
  const target = `${url}/stream?size=${STREAM_BYTES}`;
  const byClient = new Map(clients.map((client) => [client, { scenario: spec, client, samples: [], peakRssMiB: [] } as Row]));
  rows.push(...byClient.values());
  for (let round = 0; round < STREAM_ROUNDS; round++) {
    for (const client of clients) {
      const row = byClient.get(client);
      if (!row || row.note) continue;
      log(`stream ${client} (round ${round + 1}/${STREAM_ROUNDS})`);
      const { stdout, code } = await runProcess([WORKER, 'stream', client, target]);
      if (code !== 0) {
        row.note = exitNote(code);
        continue;
      }
      const result = JSON.parse(stdout) as { bytes: number; ms: number; peakRssMiB: number };
      if (result.bytes !== STREAM_BYTES) row.note = `read ${result.bytes} of ${STREAM_BYTES} bytes`;
      row.samples.push(result.bytes / 1024 / 1024 / (result.ms / 1000));
      row.peakRssMiB?.push(result.peakRssMiB);
    }
  }
}

async function coldStarts(url: string, clients: string[], rows: Row[]): Promise<void> {
  const spec = SCENARIOS.find((s) => s.name === 'cold');
  if (!spec || !wanted('cold')) return;
  log('cold starts');
  const baseline: Row = { scenario: spec, client: 'node (empty process)', samples: [] };
  const byClient = new Map(clients.map((client) => [client, { scenario: spec, client, samples: [] } as Row]));
  for (let round = 0; round < COLD_ROUNDS; round++) {
    baseline.samples.push((await runProcess(['-e', '0'])).ms);
    for (const [client, row] of byClient) {
      const { ms, code } = await runProcess([WORKER, 'cold', client, `${url}/small`], 60_000);
      if (code === 0) row.samples.push(ms);
      else row.note = exitNote(code);
    }
  }
  rows.push(baseline, ...byClient.values());
}

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'ms') return value.toFixed(0);
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function table(rows: Row[]): string {
  const lines = ['| scenario | client | median | min–max | × undici.request | target (Session) |', '|---|---|---:|---:|---:|---|'];
  for (const spec of SCENARIOS) {
    const scenarioRows = rows.filter((r) => r.scenario === spec);
    if (scenarioRows.length === 0) continue;
    const base = scenarioRows.find((r) => r.client === BASELINE)?.samples ?? [];
    for (const row of scenarioRows) {
      const m = median(row.samples);
      const spread = row.samples.length ? `${format(Math.min(...row.samples), spec.unit)}–${format(Math.max(...row.samples), spec.unit)}` : '–';
      // Paired by round (measured minutes apart at most), so load drifting over the run cancels out.
      const ratios = row.samples.slice(0, base.length).map((x, i) => x / (base[i] ?? NaN)).filter(Number.isFinite);
      const ratio = median(ratios);
      const ratioText = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
      let target = '';
      if (row.client === 'ricochet Session' && spec.target !== undefined && Number.isFinite(ratio)) {
        target = `≥ ${spec.target}× ${ratio >= spec.target ? 'met' : '**missed**'}`;
      }
      if (row.peakRssMiB?.length) {
        const peak = Math.max(...row.peakRssMiB);
        target += `${target ? '; ' : ''}peak RSS ${peak.toFixed(0)} MiB${row.client === 'ricochet Session' ? (peak <= 100 ? ' (≤ 100 met)' : ' (**> 100**)') : ''}`;
      }
      const note = row.note ? ` (${row.note})` : '';
      lines.push(`| ${spec.title} | ${row.client}${note} | ${format(m, spec.unit)} ${spec.unit} | ${spread} | ${ratioText} | ${target} |`);
    }
  }
  return lines.join('\n');
}

function version(pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}; load average at start ${LOAD_AT_START}, at end ${os.loadavg()[0]?.toFixed(1)}`,
    `- Node ${process.versions.node}; undici ${version('undici')} (global fetch: bundled undici ${process.versions.undici ?? '?'}); got ${version('got')}; axios ${version('axios')}; tough-cookie ${version('tough-cookie')}`,
    `- Ricochet loaded from: ${ricochetEntry() ? path.relative(ROOT, ricochetEntry() ?? '') : 'not available yet'}`,
    `- settings: ${ROUNDS} rounds × ${DURATION_MS} ms per client and scenario (after a ${quick ? 300 : 2000} ms warm-up round), clients interleaved; stream ${STREAM_ROUNDS} round(s) in a fresh process each; cold start ${COLD_ROUNDS} runs${quick ? '; --quick' : ''}`,
  ].join('\n');
}

async function main(): Promise<void> {
  if (!args['no-build'] && fs.existsSync(path.join(ROOT, 'core/index.ts'))) {
    // Measure what users import: the bundle `npm run build` makes.
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs'), 'core'], { cwd: ROOT, stdio: 'ignore' });
    } catch {
      log('building dist/core failed; measuring the TypeScript source instead');
      process.env.RICOCHET_BENCH_SOURCE = '1';
    }
  }
  await bundleWorker();
  const ricochet = await loadRicochet().catch((error: unknown) => {
    log(`Ricochet could not be loaded: ${(error as Error).message}`);
    return undefined;
  });
  const clients = Object.keys(CLIENTS).filter((name) => ricochet || !RICOCHET_CLIENTS.includes(name));
  if (!ricochet) log('core/index.ts (get, Session) not available: measuring the peers only');

  const { url, child } = await startServer();
  const rows: Row[] = [];
  try {
    await throughput(url, clients, rows);
    await streams(url, [...clients, ...Object.keys(STREAM_REFERENCES)], rows);
    await coldStarts(url, clients, rows);
  } finally {
    child.kill();
  }
  const editor = wanted('editor') ? await editorFigures({ quick }) : '';

  const report = [
    '# Ricochet benchmark',
    '',
    machine(),
    '',
    'Throughput is higher-is-better; cold start is lower-is-better. Ratios compare each client with `undici.request` measured in the same run: the median of per-round ratios, each round measuring every client back to back (the redirect row uses undici with its redirect interceptor; the cookie row uses undici + tough-cookie by hand). With a load average above the CPU count, absolute numbers and spreads are wide; read the ratios. The three reference rows of the stream scenario are not clients: undici\'s own dispatcher with a handler that only counts bytes (the ceiling of any client built on undici), and a bare TCP socket that parses no HTTP (the second reading into one reused buffer), the ceiling of any client built on Node sockets.',
    '',
    table(rows),
    '',
    editor,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (!args['no-write']) {
    const file = path.join(ROOT, 'bench/results', `${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.md`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${report}\n`);
    log(`written to ${path.relative(ROOT, file)}`);
  }
}

await main();
