#!/usr/bin/env bash
# Chromium (Debian's package) for the test that renders the HTML profile report.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the HTML report test" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "the HTML report test needs Chromium: install Debian's 'chromium' package" >&2
  exit 1
fi
