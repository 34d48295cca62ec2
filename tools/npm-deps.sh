#!/bin/sh
# The browser tests drive Debian's chromium with playwright-core from npm.
# Nothing else comes from npm, and no browser is downloaded.
set -e
cd "$(dirname "$0")/../tests"
[ -d node_modules/playwright-core ] && exit 0
npm install --no-audit --no-fund --loglevel=error >/dev/null
