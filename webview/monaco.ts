/**
 * Monaco, trimmed to what a read-only response viewer needs: JSON (with its worker for folding
 * and validation), XML, HTML source, JavaScript, CSS; find, folding, bracket matching, the diff
 * editor. Workers load under the panel's strict CSP: the bundled worker file is fetched from the
 * extension's resource root and started from a `blob:` URL (`worker-src blob:`), because a
 * webview cannot start a Worker from the cross-origin resource URL directly.
 */
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/features/folding/register.js';
import 'monaco-editor/features/bracketMatching/register.js';
import 'monaco-editor/features/clipboard/register.js';
import 'monaco-editor/features/contextmenu/register.js';
import 'monaco-editor/features/diffEditor/register.js';
import 'monaco-editor/features/hover/register.js';
import 'monaco-editor/features/wordHighlighter/register.js';
import 'monaco-editor/features/codicon/register.js';
import 'monaco-editor/features/readOnlyMessage/register.js';
import 'monaco-editor/features/stickyScroll/register.js';
import 'monaco-editor/features/gotoLine/register.js';
import 'monaco-editor/language/json/monaco.contribution.js';
// The JSON mode is loaded lazily and pulls in editor contributions (code lens, suggest, drop)
// whose services must be registered before the first editor starts Monaco's services.
import 'monaco-editor/internal/common/workers.js';
import 'monaco-editor/languages/definitions/xml/register.js';
import 'monaco-editor/languages/definitions/html/register.js';
import 'monaco-editor/languages/definitions/javascript/register.js';
import 'monaco-editor/languages/definitions/css/register.js';
import { cssColorToHex } from './format.ts';

export { monaco };

interface MonacoEnvironmentShape {
  getWorker(moduleId: string, label: string): Promise<Worker>;
}

const workerFiles: Record<string, string> = { json: 'json.worker.js' };

/** Where esbuild.mjs (`buildWebview`) put the worker bundles: the panel script's own folder. */
export function installWorkers(assetsBase: string): void {
  const cache = new Map<string, Promise<string>>();
  const env: MonacoEnvironmentShape = {
    async getWorker(_moduleId, label) {
      const file = workerFiles[label] ?? 'editor.worker.js';
      let blobUrl = cache.get(file);
      if (!blobUrl) {
        blobUrl = fetch(new URL(file, assetsBase)).then(async (res) => {
          if (!res.ok) throw new Error(`worker ${file}: HTTP ${res.status}`);
          return URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' }));
        });
        cache.set(file, blobUrl);
      }
      return new Worker(await blobUrl, { name: label });
    },
  };
  (globalThis as { MonacoEnvironment?: MonacoEnvironmentShape }).MonacoEnvironment = env;
}

/** The theme kind VS Code put on <body>. */
export function themeKind(): 'light' | 'dark' | 'hc-dark' | 'hc-light' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'hc-light';
  if (c.contains('vscode-high-contrast')) return 'hc-dark';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

const colorMap: Record<string, string> = {
  'editor.background': '--vscode-editor-background',
  'editor.foreground': '--vscode-editor-foreground',
  'editorLineNumber.foreground': '--vscode-editorLineNumber-foreground',
  'editorLineNumber.activeForeground': '--vscode-editorLineNumber-activeForeground',
  'editor.selectionBackground': '--vscode-editor-selectionBackground',
  'editor.inactiveSelectionBackground': '--vscode-editor-inactiveSelectionBackground',
  'editor.findMatchBackground': '--vscode-editor-findMatchBackground',
  'editor.findMatchHighlightBackground': '--vscode-editor-findMatchHighlightBackground',
  'editorCursor.foreground': '--vscode-editorCursor-foreground',
  'editorWidget.background': '--vscode-editorWidget-background',
  'editorWidget.border': '--vscode-editorWidget-border',
  'input.background': '--vscode-input-background',
  'input.foreground': '--vscode-input-foreground',
  'focusBorder': '--vscode-focusBorder',
  'scrollbarSlider.background': '--vscode-scrollbarSlider-background',
  'scrollbarSlider.hoverBackground': '--vscode-scrollbarSlider-hoverBackground',
  'diffEditor.insertedTextBackground': '--vscode-diffEditor-insertedTextBackground',
  'diffEditor.removedTextBackground': '--vscode-diffEditor-removedTextBackground',
  'editorGutter.background': '--vscode-editorGutter-background',
};

/** Defines and applies a Monaco theme from VS Code's CSS variables, so the body matches the editor. */
export function applyVsCodeTheme(): void {
  const style = getComputedStyle(document.documentElement);
  const colors: Record<string, string> = {};
  for (const [key, variable] of Object.entries(colorMap)) {
    const hex = cssColorToHex(style.getPropertyValue(variable));
    if (hex) colors[key] = hex;
  }
  const kind = themeKind();
  const base = kind === 'light' ? 'vs' : kind === 'hc-dark' ? 'hc-black' : kind === 'hc-light' ? 'hc-light' : 'vs-dark';
  monaco.editor.defineTheme('ricochet', { base, inherit: true, rules: [], colors });
  monaco.editor.setTheme('ricochet');
}

/** Editor options shared by every body view: read-only, folding, search, no minimap clutter. */
export function readOnlyOptions(): monaco.editor.IStandaloneEditorConstructionOptions {
  const style = getComputedStyle(document.documentElement);
  const size = parseInt(style.getPropertyValue('--vscode-editor-font-size'), 10);
  const family = style.getPropertyValue('--vscode-editor-font-family').trim();
  return {
    readOnly: true,
    domReadOnly: true,
    automaticLayout: true,
    folding: true,
    showFoldingControls: 'always',
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    wordWrap: 'off',
    renderLineHighlight: 'none',
    stickyScroll: { enabled: true },
    fontSize: Number.isFinite(size) ? size : 13,
    ...(family ? { fontFamily: family } : {}),
    theme: 'ricochet',
    contextmenu: true,
    links: false,
  };
}
