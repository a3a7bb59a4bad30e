/**
 * Response panel render time for 1, 10 and 50 MB JSON bodies in headless Chromium, measured in
 * a freshly opened panel (so Monaco's first editor start-up is included): from the host's `show`
 * message to the second frame painted after it, the longest
 * main-thread task meanwhile, and how long a click on another tab then takes to show it.
 * Run alone (`node bench/panel-render.ts`) or from `npm run bench`, which prints its table.
 *
 * Two settings: the default large-body threshold (5 MB: the panel gets the first 5 MB) and no
 * threshold (the whole body reaches the panel; above 10 MB it is shown as sent, not re-indented).
 */
import type { Browser } from 'playwright-core';
import { ensureBuilt, launch, openPanel, startPanelServer, type PanelServer } from '../test/browser/harness.ts';
import { DEFAULT_PANEL_SETTINGS } from '../webview/protocol.ts';

interface Measure {
  renderMs: number;
  longestTaskMs: number;
  tabSwitchMs: number;
  shownBytes: number;
}

export async function measurePanelRender(browser: Browser, server: PanelServer, megabytes: number, threshold: number): Promise<Measure> {
  const p = await openPanel(browser, server);
  try {
    return await p.page.evaluate(async ({ megabytes, threshold }) => {
      // Build the body in the page so the figure is the panel's work, not the test's transfer.
      const item = (i: number) => `{"id":${i},"name":"item ${i}","tags":["a","b"],"active":${i % 2 === 0},"score":${(i * 7) % 100}}`;
      const n = Math.floor((megabytes * 1024 * 1024) / (item(0).length + 1));
      const parts: string[] = new Array(n);
      for (let i = 0; i < n; i++) parts[i] = item(i);
      const bytes = new TextEncoder().encode(`[${parts.join(',')}]`);
      const shown = Math.min(bytes.length, threshold);
      const exchange = {
        id: `big-${megabytes}`, startedAt: new Date().toISOString(), tests: [], notices: [],
        hops: [{
          request: { method: 'GET', url: `http://127.0.0.1/big/${megabytes}`, headers: [] },
          response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [['Content-Type', 'application/json']] },
          timings: { dns: 0, connect: 1, tls: 0, ttfb: 5, download: 100, total: 106 }, cookiesSent: [], cookiesSet: [],
        }],
        // As the host sends it: cut to the threshold, full size kept.
        body: { bytes: bytes.slice(0, shown), size: bytes.length, truncated: shown < bytes.length, wireSize: bytes.length, contentType: 'application/json', charset: 'utf-8', contentEncoding: [] },
      };
      // Collect the generator's garbage now, so it is not billed to the panel.
      parts.length = 0;
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 100));
      let longest = 0;
      const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest = Math.max(longest, e.duration); });
      observer.observe({ type: 'longtask', buffered: false });
      const before = Number(document.body.dataset.rendered ?? 0);
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const t0 = performance.now();
      window.postMessage({ type: 'show', exchange, settings: { largeBodyThreshold: threshold } }, '*');
      while (Number(document.body.dataset.rendered ?? 0) === before) await new Promise((r) => setTimeout(r, 1));
      await frame();
      await frame();
      const renderMs = performance.now() - t0;
      // Responsiveness: switch to Headers and wait until it is on screen.
      const t1 = performance.now();
      (document.querySelector('vscode-tab-header[data-tab="Headers"]') as HTMLElement).click();
      while ((document.querySelector('vscode-tab-panel[data-panel="Headers"]') as HTMLElement).offsetParent === null) await frame();
      await frame();
      const tabSwitchMs = performance.now() - t1;
      await new Promise((r) => setTimeout(r, 50));
      observer.disconnect();
      return { renderMs, longestTaskMs: longest, tabSwitchMs, shownBytes: shown };
    }, { megabytes, threshold });
  } finally {
    await p.close();
  }
}

/** Each figure is the median of this many fresh panels (the machine is noisy). */
const ROUNDS = 3;

async function main(): Promise<void> {
  await ensureBuilt();
  const server = await startPanelServer();
  const browser = await launch(['--js-flags=--expose-gc']);
  const rows: string[] = [];
  try {
    for (const [label, threshold] of [['default 5 MB threshold', DEFAULT_PANEL_SETTINGS.largeBodyThreshold], ['no threshold', Number.MAX_SAFE_INTEGER]] as const) {
      for (const mb of [1, 10, 50]) {
        const runs: Measure[] = [];
        for (let i = 0; i < ROUNDS; i++) runs.push(await measurePanelRender(browser, server, mb, threshold));
        const med = (pick: (m: Measure) => number) => {
          const xs = runs.map(pick).sort((a, b) => a - b);
          return `${xs[Math.floor(xs.length / 2)]!.toFixed(0)} ms`;
        };
        const spread = runs.map((m) => m.renderMs).sort((a, b) => a - b);
        rows.push(`| ≈${mb} MiB JSON, ${label} | ${(runs[0]!.shownBytes / 1024 / 1024).toFixed(1)} MiB | ${med((m) => m.renderMs)} (${spread[0]!.toFixed(0)}–${spread.at(-1)!.toFixed(0)}) | ${med((m) => m.longestTaskMs)} | ${med((m) => m.tabSwitchMs)} |`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log([`| panel render, headless Chromium (median of ${ROUNDS}) | shown | show → painted (min–max) | longest task | tab switch after |`, '|---|---:|---:|---:|---:|', ...rows].join('\n'));
}

if (import.meta.main) await main();
