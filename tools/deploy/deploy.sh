#!/usr/bin/env bash
# Deploys the pixel-prompt chart to one environment, after checking it without a cluster:
#   tools/deploy/deploy.sh <dev|staging|prod> [--dry-run] [--release NAME] [--namespace NS] [-f extra-values.yaml]...
# Every run lints (--strict), renders and validates each object against the Kubernetes schemas
# first; --dry-run stops there and prints the rendered manifests' summary, so no cluster is needed.
# Node must be on PATH (source tools/node/use-node24.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chart="$root/deploy/helm/pixel-prompt"
helm="$root/tools/helm/helm.sh"

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
env_name="$1"
shift
case "$env_name" in
  dev | staging | prod) ;;
  *) echo "unknown environment: $env_name (dev, staging or prod)" >&2; usage ;;
esac

dry_run=false
release="pixel-prompt"
namespace="pixel-prompt-$env_name"
values=(-f "$chart/values-$env_name.yaml")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true ;;
    --release) release="${2:?--release needs a name}"; shift ;;
    --namespace) namespace="${2:?--namespace needs a name}"; shift ;;
    -f | --values) values+=(-f "${2:?$1 needs a file}"); shift ;;
    -h | --help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
  shift
done

echo "== helm lint --strict ($env_name)" >&2
"$helm" lint --strict "$chart" "${values[@]}" >&2

echo "== helm template + Kubernetes schema validation" >&2
manifests="$("$helm" template "$release" "$chart" --namespace "$namespace" "${values[@]}")"
# validate-manifests prints its JSON report and fails on any invalid object.
printf '%s\n' "$manifests" | node "$root/tools/helm/validate-manifests.mjs" >&2

if $dry_run; then
  echo "== dry run: $release in namespace $namespace renders valid objects; nothing was applied" >&2
  exit 0
fi

echo "== helm upgrade --install $release ($namespace)" >&2
# --rollback-on-failure (helm 4's --atomic) undoes a release whose pods never become ready.
exec "$helm" upgrade --install "$release" "$chart" --namespace "$namespace" --create-namespace \
  "${values[@]}" --wait=watcher --rollback-on-failure --timeout 15m
