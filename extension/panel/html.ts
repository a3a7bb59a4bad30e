/**
 * The response panel's HTML page and its Content-Security-Policy. Pure (no `vscode`), so the
 * browser tests serve exactly this page and prove the policy holds.
 *
 * The policy, and why each source is there:
 *   default-src 'none'                  nothing unless listed below
 *   script-src 'nonce-…'                only our own panel.js; no inline script, no eval
 *   style-src ${cspSource} 'unsafe-inline'  panel.css from the extension, plus the <style> elements
 *                                       Monaco creates at run time (it has no nonce hook); styles
 *                                       cannot run code
 *   font-src ${cspSource}               codicons
 *   img-src ${cspSource} data: blob:    image previews are blob: URLs made from the body bytes
 *   connect-src ${cspSource}            fetching the Monaco worker files to start them from blob:
 *   worker-src blob:                    Monaco workers (a webview cannot start a cross-origin worker)
 *   frame-src 'none' is implied          the HTML preview is an `srcdoc` frame with sandbox="" (no scripts)
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the extension's resources are served from. */
  cspSource: string;
  /** Base URL of dist/webview/ as the webview sees it, ending in '/'. */
  assetsBase: string;
  nonce?: string;
  title?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `connect-src ${cspSource}`,
    `worker-src blob:`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(options: PanelHtmlOptions): string {
  const nonce = options.nonce ?? makeNonce();
  const base = options.assetsBase.endsWith('/') ? options.assetsBase : `${options.assetsBase}/`;
  const a = (file: string) => escapeAttr(base + file);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(options.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ricochet-assets" content="${escapeAttr(base)}">
<link rel="stylesheet" href="${a('panel.css')}">
<link rel="stylesheet" href="${a('codicons/codicon.css')}" id="vscode-codicon-stylesheet">
<title>${escapeAttr(options.title ?? 'Response')}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${a('panel.js')}"></script>
</body>
</html>
`;
}
