#!/usr/bin/env bash
# Deploys the pixel-prompt chart to one environment:
#   tools/deploy/deploy.sh <dev|staging|prod> [--dry-run | --server-dry-run | --diff] [--release NAME] [-f extra-values.yaml]...
#   --dry-run          lint, render and validate only: no cluster needed
#   --server-dry-run   also let the cluster check the release (helm upgrade --dry-run=server); nothing changes
#   --diff             print what the upgrade would change against the live release; nothing changes
# Without them: the checks, helm upgrade --install, then tools/deploy/check-release.sh (rollouts and
# smoke requests through the public URL). Anything that talks to a cluster first requires the
# current kube context to be the one deploy/helm/environments.yaml names for ENV, and uses it.
# Node must be on PATH (source tools/node/use-node24.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chart="$root/deploy/helm/pixel-prompt"
environments="$root/deploy/helm/environments.yaml"
helm="$root/tools/helm/helm.sh"
kubectl="$root/tools/helm/kubectl.sh"

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
env_name="$1"
shift
case "$env_name" in
  dev | staging | prod) ;;
  -h | --help) usage ;;
  *) echo "unknown environment: $env_name (dev, staging or prod)" >&2; usage ;;
esac

mode=upgrade
release="pixel-prompt"
values=(-f "$chart/values-$env_name.yaml")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run | --server-dry-run | --diff)
      [[ "$mode" == upgrade ]] || { echo "$1: choose one of --dry-run, --server-dry-run and --diff" >&2; exit 2; }
      mode="${1#--}" ;;
    --release) release="${2:?--release needs a name}"; shift ;;
    -f | --values) values+=(-f "${2:?$1 needs a file}"); shift ;;
    -h | --help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
  shift
done

# One field of ENV's entry in environments.yaml.
setting() {
  (cd "$root" && node --input-type=module -e '
    import { readFileSync } from "node:fs";
    import { parse } from "yaml";
    const [file, env, key] = process.argv.slice(1);
    const value = parse(readFileSync(file, "utf8"))?.[env]?.[key];
    if (typeof value !== "string" || value === "") { console.error(`${file}: no ${env}.${key}`); process.exit(2); }
    console.log(value);' "$environments" "$env_name" "$1")
}
context="$(setting kubeContext)"
namespace="$(setting namespace)"
url="$(setting url)"

if [[ "$mode" != dry-run ]]; then
  # Before anything else: values for one environment must never reach another's cluster.
  current="$("$kubectl" config current-context 2>/dev/null || true)"
  if [[ "$current" != "$context" ]]; then
    echo "refusing to deploy $env_name: the current kube context is '${current:-none}', not '$context' (deploy/helm/environments.yaml)" >&2
    echo "switch with: kubectl config use-context $context" >&2
    exit 3
  fi
fi

echo "== helm lint --strict ($env_name)" >&2
"$helm" lint --strict "$chart" "${values[@]}" >&2

# Offline the CRDs are assumed present, so their objects are validated too; the server dry run
# and the upgrade check them against the cluster itself.
crds=(--api-versions monitoring.coreos.com/v1/ServiceMonitor --api-versions monitoring.coreos.com/v1/PrometheusRule --api-versions keda.sh/v1alpha1/ScaledObject)
echo "== helm template + strict Kubernetes schema validation" >&2
manifests="$("$helm" template "$release" "$chart" --namespace "$namespace" "${crds[@]}" "${values[@]}")"
# validate-manifests prints its JSON report and fails on any invalid object or unknown field.
printf '%s\n' "$manifests" | node "$root/tools/helm/validate-manifests.mjs" >&2

cluster=(--kube-context "$context" --namespace "$namespace")
case "$mode" in
  dry-run)
    echo "== dry run: $release in namespace $namespace renders valid objects; nothing was applied" >&2
    ;;
  server-dry-run)
    echo "== server dry run in $context: the cluster checks the release; nothing is applied" >&2
    "$helm" upgrade --install "$release" "$chart" "${cluster[@]}" "${values[@]}" --dry-run=server >/dev/null
    echo "== server dry run passed: nothing was applied" >&2
    ;;
  diff)
    echo "== diff of $release in $context: live release (-) against this render (+); nothing is applied" >&2
    live="$(mktemp)" next="$(mktemp)"
    trap 'rm -f "$live" "$next"' EXIT
    # helm list fails when the cluster cannot be reached, and is empty when there is no release yet.
    existing="$("$helm" list "${cluster[@]}" --filter "^${release}\$" --short)"
    if [[ -n "$existing" ]]; then
      "$helm" get manifest "$release" "${cluster[@]}" >"$live"
    else
      echo "(no release $release yet: everything is new)" >&2
    fi
    # The same render the upgrade would apply, with the cluster's own capabilities.
    "$helm" template "$release" "$chart" "${cluster[@]}" --validate "${values[@]}" >"$next"
    diff -u --label "live $release" --label "$env_name render" "$live" "$next" || true
    ;;
  upgrade)
    echo "== helm upgrade --install $release ($context, $namespace)" >&2
    # --rollback-on-failure (helm 4's --atomic) undoes a release whose pods never become ready.
    "$helm" upgrade --install "$release" "$chart" "${cluster[@]}" --create-namespace \
      "${values[@]}" --wait=watcher --rollback-on-failure --timeout 15m
    # The post-deploy check: a fuller release check replaces this script when it exists.
    "$root/tools/deploy/check-release.sh" --context "$context" --namespace "$namespace" --release "$release" --url "$url"
    ;;
esac
