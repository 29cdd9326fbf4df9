#!/usr/bin/env bash
# The README's first command (npm start): installs what is missing, then runs the whole of
# Pixel Prompt on loopback with embedded defaults. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/node/use-node24.sh
npm install --no-audit --no-fund --loglevel=error
exec node tools/stack/stack.mjs "$@"
