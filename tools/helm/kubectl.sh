#!/usr/bin/env bash
# Runs the real kubectl shipped next to helm in node_modules, with no download:
#   tools/helm/kubectl.sh config current-context
# Node must be on PATH (source tools/node/use-node24.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl="$(node "$here/extract-tool.mjs" kubectl)"
exec "$kubectl" "$@"
