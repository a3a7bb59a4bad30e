/**
 * The editor-side figures of `npm run bench`, each measured only once its module exists:
 * parse time of a generated 10,000-request `.http` file (core/language/parser.ts), and the output
 * of the language-server and panel benchmarks when their scripts have landed
 * (bench/lsp-latency.*, bench/panel-render.*).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './clients.ts';

interface ParserModule {
  parseHttpFile(text: string): { requests: unknown[]; diagnostics: unknown[] };
}
interface FixtureModule {
  generateHttpFile(count: number): string;
}

/** A plain generator for when the shared fixture (bench/lsp-fixture.ts) is not there. */
function fallbackFile(count: number): string {
  const out = ['@host = http://127.0.0.1:8080', ''];
  for (let i = 0; i < count; i++) {
    out.push(`### request ${i}`, `# @name r${i}`, `POST {{host}}/items/${i}?q=${i}`, 'Content-Type: application/json', `X-Id: ${i}`, '', `{"id": ${i}}`, '');
  }
  return out.join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function parseFigure(quick: boolean): Promise<string | undefined> {
  const parserPath = path.join(ROOT, 'core/language/parser.ts');
  if (!fs.existsSync(parserPath)) return undefined;
  const parser = (await import(parserPath)) as Partial<ParserModule>;
  if (typeof parser.parseHttpFile !== 'function') return undefined;
  const fixturePath = path.join(ROOT, 'bench/lsp-fixture.ts');
  const fixture = fs.existsSync(fixturePath) ? ((await import(fixturePath)) as Partial<FixtureModule>) : {};
  const text = (fixture.generateHttpFile ?? fallbackFile)(10_000);
  const first = performance.now();
  const parsed = parser.parseHttpFile(text);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) {
    const started = performance.now();
    parser.parseHttpFile(text);
    times.push(performance.now() - started);
  }
  const m = median(times);
  return [
    '| editor figure | median | min–max | target |',
    '|---|---:|---:|---|',
    `| parse a generated 10,000-request .http file (${(text.length / 1024 / 1024).toFixed(1)} MiB, ${parsed.requests.length} requests) | ${m.toFixed(1)} ms | ${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)} ms (first, cold: ${firstMs.toFixed(1)} ms) | ≤ 100 ms ${m <= 100 ? 'met' : '**missed**'} |`,
  ].join('\n');
}

function scriptOutput(base: string, title: string): string | undefined {
  const script = ['.ts', '.mjs', '.js'].map((ext) => path.join(ROOT, `bench/${base}${ext}`)).find((p) => fs.existsSync(p));
  if (!script) return undefined;
  const run = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  const output = (run.stdout || '').trim() || `(no output; exit ${run.status}; ${(run.stderr || '').trim().split('\n').slice(-3).join(' ')})`;
  return `### ${title} (${path.relative(ROOT, script)})\n\n${output}`;
}

/** Bundle sizes and the extension bundle's load time (issue 5), on fresh production bundles. */
export async function extensionFigure(): Promise<string | undefined> {
  const reportPath = path.join(ROOT, 'extension/package-report.ts');
  if (!fs.existsSync(reportPath)) return undefined;
  const build = spawnSync(process.execPath, ['esbuild.mjs', 'extension', 'server', 'webview', '--production'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) return `extension figure: build failed: ${(build.stderr || build.stdout).trim().split('\n').slice(-3).join(' ')}`;
  const { measureExtension } = (await import(reportPath)) as typeof import('../extension/package-report.ts');
  const { bundles, loadMs } = measureExtension(ROOT, 7);
  const rows = Object.entries(bundles).map(([name, bytes]) => `| ${name} | ${(bytes / 1024).toFixed(0)} KB |`);
  return [
    '### Extension (production bundles)',
    '',
    '| what | figure |',
    '|---|---:|',
    ...rows,
    `| evaluating dist/extension.cjs (median of 7, vscode stubbed; real activation is logged to the Ricochet output channel) | ${loadMs.toFixed(1)} ms |`,
  ].join('\n');
}

export async function editorFigures({ quick }: { quick: boolean }): Promise<string> {
  const sections: string[] = [];
  try {
    const parse = await parseFigure(quick);
    if (parse) sections.push(parse);
  } catch (error) {
    sections.push(`parse figure failed: ${(error as Error).message}`);
  }
  try {
    const extension = await extensionFigure();
    if (extension) sections.push(extension);
  } catch (error) {
    sections.push(`extension figure failed: ${(error as Error).message}`);
  }
  const lsp = scriptOutput('lsp-latency', 'Language server latency');
  if (lsp) sections.push(lsp);
  const panel = scriptOutput('panel-render', 'Response panel render');
  if (panel) sections.push(panel);
  return sections.length ? `## Editor side\n\n${sections.join('\n\n')}\n` : '';
}
