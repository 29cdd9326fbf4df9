#!/usr/bin/env bash
# After an upgrade: every Deployment of the release has rolled out, and the public URL serves the
# web app and the API through the Ingress. Exits non-zero naming what failed.
#   tools/deploy/check-release.sh --context CTX --namespace NS --release NAME --url https://host
# deploy.sh runs it after every upgrade; a fuller release check can take its place here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kubectl="$root/tools/helm/kubectl.sh"

context="" namespace="" release="" url=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --context) context="${2:?}"; shift ;;
    --namespace) namespace="${2:?}"; shift ;;
    --release) release="${2:?}"; shift ;;
    --url) url="${2:?}"; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$context" && -n "$namespace" && -n "$release" && -n "$url" ]] || { echo "usage: $0 --context CTX --namespace NS --release NAME --url URL" >&2; exit 2; }

echo "== rollout status of every Deployment of $release" >&2
deployments="$("$kubectl" --context "$context" -n "$namespace" get deployments -l "app.kubernetes.io/instance=$release" -o name)"
[[ -n "$deployments" ]] || { echo "no Deployment of release $release in $namespace" >&2; exit 1; }
for deployment in $deployments; do
  "$kubectl" --context "$context" -n "$namespace" rollout status "$deployment" --timeout=10m >&2
done

echo "== smoke requests through $url" >&2
node "$root/tools/deploy/smoke.mjs" "$url"
