// Stands in for VS Code's webview host in a plain page: acquireVsCodeApi() records what the
// panel posts, and __feed() delivers a host message the way VS Code does (a window message).
(() => {
  const posted = [];
  let state = JSON.parse(sessionStorage.getItem('vscode-state') ?? 'null') ?? undefined;
  let acquired = false;
  window.__posted = posted;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      // VS Code keeps a webview's state across reloads (hidden and shown again); so does this.
      getState: () => state,
      setState: (s) => { state = s; sessionStorage.setItem('vscode-state', JSON.stringify(s)); },
    };
  };
  // exchangeToJSON writes bytes as { $base64 }; turn them back into Uint8Array.
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      if (typeof v.$base64 === 'string') return Uint8Array.from(atob(v.$base64), (c) => c.charCodeAt(0));
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  window.__feed = (message) => window.postMessage(revive(message), '*');
})();
