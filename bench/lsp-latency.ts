/**
 * Language server latency on a generated 10,000-request `.http` file, over the real protocol
 * (the server is spawned with `--stdio`, as an editor would): completion round trips on an
 * unchanged document and right after an edit, and "edit sent → diagnostics published".
 *
 *   node bench/lsp-latency.ts [--requests 10000] [--rounds 200]
 *
 * Budgets: completion p95 ≤ 20 ms, diagnostics after an edit ≤ 50 ms (p95).
 * `measureLspLatency()` is exported for `npm run bench` to include.
 */
import os from 'node:os';
import { startInWorkspace } from '../test/integration/server/lsp-session.ts';
import { generateHttpFile } from './lsp-fixture.ts';

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  max: number;
  /** Server process CPU time per operation (ms), from /proc: unlike wall time, barely moved by other load. */
  cpuPerOp?: number;
}

export interface LspLatency {
  requests: number;
  lines: number;
  openToFirstDiagnosticsMs: number;
  completion: LatencyStats;
  completionAfterEdit: LatencyStats;
  diagnosticsAfterEdit: LatencyStats;
  diagnosticsAfterNewLine: LatencyStats;
  /** 1-minute load average before and after, to judge the wall-clock figures. */
  load: [number, number];
}

function stats(samples: number[], cpuMs?: number): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const result: LatencyStats = { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
  if (cpuMs !== undefined) result.cpuPerOp = cpuMs / sorted.length;
  return result;
}

export async function measureLspLatency(options: { requests?: number; rounds?: number } = {}): Promise<LspLatency> {
  const requests = options.requests ?? 10_000;
  const rounds = options.rounds ?? 200;
  const workspace = await startInWorkspace({ files: { 'http-client.env.json': JSON.stringify({ dev: { token: 'secret-token' } }) }, initializationOptions: { name: 'dev' } });
  const lsp = workspace.lsp;
  const uri = workspace.uriOf('big.http');
  const text = generateHttpFile(requests);
  const lines = text.split('\n');
  const loadBefore = os.loadavg()[0]!;
  const cpu: number[] = [];
  const mark = () => cpu.push(lsp.serverCpuMs() ?? NaN);
  const spent = (i: number) => (Number.isNaN(cpu[i]!) ? undefined : cpu[i + 1]! - cpu[i]!);
  try {
    let t0 = performance.now();
    const first = lsp.nextDiagnostics(uri, 1, 120_000);
    lsp.open(uri, text);
    await first;
    const openToFirstDiagnosticsMs = performance.now() - t0;

    // Positions spread over the file: inside `{{base}}` on request lines, and after `Accept: `.
    const urlLines: number[] = [];
    const acceptLines: number[] = [];
    lines.forEach((l, i) => {
      if (l.startsWith('GET {{base}}') || l.startsWith('POST {{base}}')) urlLines.push(i);
      if (l.startsWith('Accept: ')) acceptLines.push(i);
    });
    const pick = (list: number[], i: number) => list[Math.floor((i * 7919) % list.length)]!;

    const completion: number[] = [];
    mark();
    for (let i = 0; i < rounds; i++) {
      const line = i % 2 ? pick(urlLines, i) : pick(acceptLines, i);
      const character = i % 2 ? lines[line]!.indexOf('{{') + 3 : 8;
      t0 = performance.now();
      const result = await lsp.request<unknown[]>('textDocument/completion', lsp.at(uri, line, character));
      completion.push(performance.now() - t0);
      if (!Array.isArray(result) || result.length === 0) throw new Error(`no completion at ${line}:${character}`);
    }

    mark();
    // Typing: insert a character into a comment line, then ask for completion at once.
    const completionAfterEdit: number[] = [];
    const diagnosticsAfterEdit: number[] = [];
    const editLine = Math.floor(lines.length / 2);
    const firstEdit = lsp.change(uri, { start: { line: editLine, character: 0 }, end: { line: editLine, character: 0 } }, '# typing: \n');
    await lsp.nextDiagnostics(uri, firstEdit);
    mark();
    for (let i = 0; i < rounds; i++) {
      const line = pick(urlLines, i) + 1;
      const column = 10 + (i % 50);
      t0 = performance.now();
      const version = lsp.change(uri, { start: { line: editLine, character: column }, end: { line: editLine, character: column } }, 'x');
      const diagnostics = lsp.nextDiagnostics(uri, version);
      await lsp.request('textDocument/completion', lsp.at(uri, line, 5));
      completionAfterEdit.push(performance.now() - t0);
      await diagnostics;
      diagnosticsAfterEdit.push(performance.now() - t0);
    }

    mark();
    // Enter and Backspace: every later line moves.
    const diagnosticsAfterNewLine: number[] = [];
    mark();
    for (let i = 0; i < rounds / 2; i++) {
      const line = 100 + ((i * 7919) % (lines.length - 200));
      t0 = performance.now();
      let version = lsp.change(uri, { start: { line, character: 0 }, end: { line, character: 0 } }, '\n');
      await lsp.nextDiagnostics(uri, version);
      diagnosticsAfterNewLine.push(performance.now() - t0);
      t0 = performance.now();
      version = lsp.change(uri, { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, '');
      await lsp.nextDiagnostics(uri, version);
      diagnosticsAfterNewLine.push(performance.now() - t0);
    }
    mark();
    return {
      requests,
      lines: lines.length,
      openToFirstDiagnosticsMs,
      completion: stats(completion, spent(0)),
      completionAfterEdit: stats(completionAfterEdit, spent(2)),
      diagnosticsAfterEdit: stats(diagnosticsAfterEdit, spent(2)),
      diagnosticsAfterNewLine: stats(diagnosticsAfterNewLine, spent(4)),
      load: [loadBefore, os.loadavg()[0]!],
    };
  } finally {
    await workspace.close();
  }
}

export function formatLspLatency(r: LspLatency): string {
  const row = (name: string, s: LatencyStats, budget: number) =>
    `| ${name} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} | ${s.cpuPerOp === undefined ? '–' : s.cpuPerOp.toFixed(1)} | ≤ ${budget} | ${s.p95 <= budget ? 'ok' : 'OVER'} |`;
  return [
    `Language server, ${r.requests} requests (${r.lines} lines); open → first diagnostics ${r.openToFirstDiagnosticsMs.toFixed(0)} ms; load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${os.cpus().length} CPUs`,
    '',
    '| operation (ms) | n | p50 | p95 | max | server CPU/op | p95 budget | |',
    '|---|---|---|---|---|---|---|---|',
    row('completion, unchanged document', r.completion, 20),
    row('edit + completion at once', r.completionAfterEdit, 20),
    row('edit → diagnostics published', r.diagnosticsAfterEdit, 50),
    row('new line / delete line → diagnostics', r.diagnosticsAfterNewLine, 50),
  ].join('\n');
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = await measureLspLatency({ requests: arg('--requests'), rounds: arg('--rounds') });
  console.log(`${formatLspLatency(result)}\n\nNode ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
}
