/**
 * Loads the built response panel (dist/webview/) in headless Debian Chromium, in the very page
 * and CSP the extension serves (`panelHtml`), with a stand-in `acquireVsCodeApi`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { before, after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { exchangeToJSON, type Exchange } from '../../core/requests/exchange.ts';
import { makeNonce, panelHtml } from '../../extension/panel/html.ts';
import type { HostMessage, PanelMessage } from '../../webview/protocol.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const OUTPUT = path.join(ROOT, 'test-output/browser');
const CHROMIUM = '/usr/bin/chromium';

export type Theme = 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';

/** The tests' own build of the panel (what `npm run build` puts in dist/webview/). */
export const BUILD = path.join(ROOT, 'test-output/browser-build/webview');

/** Builds the panel into BUILD when it is missing or older than a source file in webview/. */
export async function ensureBuilt(): Promise<void> {
  const out = path.join(BUILD, 'panel.js');
  const built = fs.existsSync(out) ? fs.statSync(out).mtimeMs : 0;
  const newest = Math.max(...fs.readdirSync(path.join(ROOT, 'webview')).map((f) => fs.statSync(path.join(ROOT, 'webview', f)).mtimeMs));
  if (built >= newest) return;
  const { buildWebview } = (await import(path.join(ROOT, 'esbuild.mjs'))) as {
    buildWebview(o: { production: boolean; outdir: string }): Promise<void>;
  };
  await buildWebview({ production: true, outdir: BUILD });
}

export interface PanelServer {
  origin: string;
  close(): Promise<void>;
}

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

export async function startPanelServer(): Promise<PanelServer> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/panel.html') {
      const nonce = makeNonce();
      const theme = url.searchParams.get('theme') ?? 'vscode-dark';
      const html = panelHtml({ cspSource: origin, assetsBase: `${origin}/dist/webview/`, nonce })
        .replace('<title>', `<link rel="stylesheet" href="/themes.css"><title>`)
        .replace('<body>', `<body class="${theme}" data-vscode-theme-kind="${theme}">`)
        .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="/stand-in.js"></script>\n<script nonce="${nonce}"`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = url.pathname.startsWith('/dist/webview/') ? path.join(BUILD, url.pathname.slice('/dist/webview/'.length))
      : url.pathname === '/stand-in.js' || url.pathname === '/themes.css' ? path.join(ROOT, 'test/browser', url.pathname) : undefined;
    if (!file || !file.startsWith(ROOT) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Installs Debian's chromium when it is missing (a fresh machine). */
export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit' });
}

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export interface PanelPage {
  page: Page;
  /** Dialogs (alert/confirm/prompt) the page tried to open. */
  dialogs: string[];
  /** Uncaught errors and console errors (other than reports of something being blocked). */
  errors: string[];
  /** Console reports of the browser blocking something (CSP, sandbox): proof a defence acted. */
  blocked: string[];
  feed(message: HostMessage): Promise<void>;
  posted(): Promise<PanelMessage[]>;
  cspViolations(): Promise<string[]>;
  tab(name: string): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPanel(browser: Browser, server: PanelServer, theme: Theme = 'vscode-dark', viewport = { width: 1100, height: 760 }): Promise<PanelPage> {
  const page = await browser.newPage({ viewport });
  const dialogs: string[] = [];
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (t.startsWith('Failed to load resource')) return; // reported with its URL below
    (/Blocked script execution|violates the following Content Security Policy|Refused to|sandboxed/.test(t) ? blocked : errors).push(t);
  });
  await page.goto(`${server.origin}/panel.html?theme=${theme}`);
  await page.waitForFunction(() => 'ricochetPanel' in globalThis, null, { timeout: 20_000 });
  const rendered = () => page.evaluate(() => Number(document.body.dataset.rendered ?? 0));
  return {
    page, dialogs, errors, blocked,
    async feed(message) {
      const before = await rendered();
      // exchangeToJSON's replacer turns every Uint8Array in the message into { $base64 }.
      const json = message.type === 'show' || message.type === 'diff' ? exchangeToJSON(message as unknown as Exchange) : message;
      await page.evaluate((m) => (globalThis as unknown as { __feed(m: unknown): void }).__feed(m), json);
      if (message.type === 'show') await page.waitForFunction((n) => Number(document.body.dataset.rendered ?? 0) > n, before, { timeout: 20_000 });
      else await page.waitForTimeout(50);
    },
    posted: () => page.evaluate(() => (globalThis as unknown as { __posted: PanelMessage[] }).__posted),
    cspViolations: () => page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations),
    async tab(name) {
      await page.locator(`vscode-tab-header[data-tab="${name}"]`).click();
      await page.locator(`vscode-tab-panel[data-panel="${name}"]`).waitFor({ state: 'visible' });
    },
    async screenshot(name) {
      fs.mkdirSync(OUTPUT, { recursive: true });
      const file = path.join(OUTPUT, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: () => page.close(),
  };
}

/** Runs `fn`; on failure saves a screenshot named after the test before rethrowing. */
export async function withScreenshotOnFailure(panel: PanelPage, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    await panel.screenshot(`FAILED-${name}`).catch(() => undefined);
    throw err;
  }
}

/** Registers before/after hooks that build the panel, start the page server and the browser. */
export function panelSuite(): { readonly browser: Browser; readonly server: PanelServer } {
  let server: PanelServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    await ensureBuilt();
    server = await startPanelServer();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get browser() { if (!browser) throw new Error('panelSuite: browser not started yet'); return browser; },
    get server() { if (!server) throw new Error('panelSuite: server not started yet'); return server; },
  };
}
