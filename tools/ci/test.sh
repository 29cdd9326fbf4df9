#!/usr/bin/env bash
# The README's second command (npm test), and what CI runs: lint, type-check, build and test every
# project on a fresh machine. Installs what it needs (Node 24, npm packages, redis-server, Prometheus,
# Chromium); the tests start their own servers on free loopback ports and stop them.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/node/use-node24.sh
npm install --no-audit --no-fund --loglevel=error
bash tools/system/ensure-packages.sh redis-server=redis-server promtool=prometheus chromium=chromium

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
summary="$(mktemp -d)"
trap 'rm -rf "$summary"' EXIT
export PP_TEST_SUMMARY_DIR="$summary"

status=0
# --skip-nx-cache: this command promises every check really ran; developers get caching from
# `nx affected -t test`.
node node_modules/nx/dist/bin/nx.js run-many -t lint typecheck build test \
  --parallel=2 --skip-nx-cache --outputStyle=static || status=$?
# Lighthouse (mobile, median of 3) on the production build, after the parallel phase so the
# machine is as quiet as it gets: fails below performance 90, accessibility, best practices, SEO 100.
node tools/lighthouse/run.mjs --check || status=1
node tools/jest/print-summary.js "$summary" || status=1
exit "$status"
