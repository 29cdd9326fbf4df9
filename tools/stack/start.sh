#!/usr/bin/env bash
# The README's first command (npm start): installs the npm packages as the lockfile pins them (when
# node_modules does not already hold them), then runs the whole of Pixel Prompt on loopback with
# embedded defaults. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/node/use-node24.sh
bash tools/node/install.sh
exec node tools/stack/stack.mjs "$@"
