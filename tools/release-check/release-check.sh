#!/usr/bin/env bash
# Runs the release check (tools/release-check), building it first (Nx caches the build):
#   tools/release-check/release-check.sh verify --release pixel-prompt --namespace pixel-prompt-staging --url https://...
#   tools/release-check/release-check.sh context <expected kube context>
# Node must be on PATH (source tools/node/use-node24.sh). docs/RUNBOOK.md, "Verify a release".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false \
  node "$root/node_modules/nx/dist/bin/nx.js" run release-check:build --outputStyle=static >/dev/null ||
  { echo "release-check: the build failed: npx nx run release-check:build" >&2; exit 2; }
exec node "$root/dist/tools/release-check/main.js" "$@"
