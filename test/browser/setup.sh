#!/bin/bash
# Installs Debian's chromium for the panel's browser tests when it is missing (a fresh machine).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
