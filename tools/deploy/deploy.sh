#!/usr/bin/env bash
# Deploys the pixel-prompt chart to one environment of deploy/helm/environments.yaml:
#   tools/deploy/deploy.sh <dev|staging|prod> [MODE] [OPTIONS]
# MODE, at most one (none: the checks, helm upgrade --install, then the release check):
#   --dry-run          lint, render and validate only, no cluster needed; prints the manifests
#   --server-dry-run   also let the cluster check the release (helm upgrade --dry-run=server); nothing changes
#   --diff             print what the upgrade would change against the live release; nothing changes
#   --verify           only the release check of the live release; nothing changes
# OPTIONS:
#   --cloud-outputs FILE         the CDK stacks' outputs (cdk deploy --outputs-file): their chart values
#                                come right after values-ENV.yaml, before any -f
#   -f, --values FILE            more values, in order (repeatable)
#   --release NAME               must be ENV's release in environments.yaml: the IAM roles trust only its service accounts
#   --prometheus URL             the release check also reads this Prometheus (targets, alerts, errors, p95, queues)
#   --report FILE                the release check's Markdown report (default: release-check-ENV-<UTC time>.md here)
#   --rollback-on-failed-check   when the release check fails after an upgrade, helm rollback to the previous revision
# Anything that talks to a cluster first requires the current kube context to be ENV's
# (release-check context) and exits 3 otherwise, before any check or change.
# Node must be on PATH (source tools/node/use-node24.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chart="$root/deploy/helm/pixel-prompt"
environments="$root/deploy/helm/environments.yaml"
helm="$root/tools/helm/helm.sh"
release_check="$root/tools/release-check/release-check.sh"

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
refuse() {
  echo "$1" >&2
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
release="" cloud_outputs="" prometheus="" report="" rollback=false
extra_values=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run | --server-dry-run | --diff | --verify)
      [[ "$mode" == upgrade ]] || refuse "$1: choose one of --dry-run, --server-dry-run, --diff and --verify"
      mode="${1#--}" ;;
    --release) release="${2:?--release needs a name}"; shift ;;
    --cloud-outputs) cloud_outputs="${2:?--cloud-outputs needs a file}"; shift ;;
    -f | --values) extra_values+=(-f "${2:?$1 needs a file}"); shift ;;
    --prometheus) prometheus="${2:?--prometheus needs a URL}"; shift ;;
    --report) report="${2:?--report needs a file}"; shift ;;
    --rollback-on-failed-check) rollback=true ;;
    -h | --help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
  shift
done

# The release check runs after an upgrade and in --verify; its options mean nothing elsewhere.
if [[ "$mode" != upgrade && "$mode" != verify ]]; then
  for option in prometheus report; do
    [[ -z "${!option}" ]] || refuse "--$option is for the release check: only with an upgrade or --verify"
  done
fi
[[ "$rollback" == false || "$mode" == upgrade ]] || refuse "--rollback-on-failed-check only goes with an upgrade"
[[ -z "$prometheus" || "$prometheus" =~ ^https?://[^/] ]] || refuse "--prometheus must be an http(s) URL: $prometheus"
[[ "$mode" != verify || ( -z "$cloud_outputs" && ${#extra_values[@]} -eq 0 ) ]] || refuse "--verify checks the live release: it takes no values"

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
configured_release="$(setting release)"
# The IAM roles (deploy/cdk) trust the service accounts the chart names after the configured release:
# under another name the pods would lose their AWS permissions.
if [[ -n "$release" && "$release" != "$configured_release" ]]; then
  refuse "refusing --release $release: deploy/helm/environments.yaml installs $env_name as $configured_release, and the IAM roles trust only its service accounts; to rename it, change the release there and deploy deploy/cdk first"
fi
release="$configured_release"
cluster=(--kube-context "$context" --namespace "$namespace")

if [[ "$mode" != dry-run ]]; then
  # Before anything else: values for one environment must never reach another's cluster. The same
  # command builds the release check, so an upgrade never starts without its check.
  status=0
  "$release_check" context "$context" || status=$?
  case "$status" in
    0) ;;
    1) echo "refusing: $env_name is deployed from kube context '$context' (deploy/helm/environments.yaml); switch with: kubectl config use-context $context" >&2
      exit 3 ;;
    *) echo "the release check cannot run (above); nothing was changed" >&2
      exit "$status" ;;
  esac
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

values=(-f "$chart/values-$env_name.yaml")
if [[ -n "$cloud_outputs" ]]; then
  node "$root/deploy/cdk/bin/values-from-outputs.cjs" "$env_name" "$cloud_outputs" >"$work/values-cloud.yaml"
  values+=(-f "$work/values-cloud.yaml")
fi
values+=("${extra_values[@]}")

# The release check of the live release; with --rollback-on-failed-check a failure rolls it back.
verify() {
  report="${report:-$PWD/release-check-$env_name-$(date -u +%Y%m%dT%H%M%SZ).md}"
  echo "== release check of $release ($context, $namespace) through $url" >&2
  local status=0
  "$release_check" verify --release "$release" --namespace "$namespace" --expect-context "$context" \
    --url "$url" ${prometheus:+--prometheus "$prometheus"} --report "$report" >/dev/null || status=$?
  [[ -f "$report" ]] && echo "== release check report: $report" >&2
  [[ "$status" -ne 0 ]] || return 0
  if [[ "$rollback" == true ]]; then
    echo "== the release check failed: helm rollback $release to its previous revision" >&2
    "$helm" rollback "$release" "${cluster[@]}" --wait=watcher --timeout 15m >&2 ||
      echo "the rollback failed too (a first install has no previous revision: helm uninstall $release removes it)" >&2
  fi
  exit 1
}

if [[ "$mode" == verify ]]; then
  verify
  exit 0
fi

echo "== helm lint --strict ($env_name)" >&2
"$helm" lint --strict "$chart" "${values[@]}" >&2

# Offline the CRDs are assumed present, so their objects are validated too; the server dry run
# and the upgrade check them against the cluster itself.
crds=()
while read -r api; do crds+=(--api-versions "$api"); done < <(node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { parse } from "yaml";
  for (const api of parse(readFileSync(process.argv[1], "utf8"))) console.log(api);' "$root/deploy/helm/crd-api-versions.yaml")
echo "== helm template + strict Kubernetes schema validation" >&2
"$helm" template "$release" "$chart" --namespace "$namespace" "${crds[@]}" "${values[@]}" >"$work/manifests.yaml"
# validate-manifests prints its JSON report and fails on any invalid object or unknown field.
node "$root/tools/helm/validate-manifests.mjs" <"$work/manifests.yaml" >&2

case "$mode" in
  dry-run)
    cat "$work/manifests.yaml"
    echo "== dry run: $release in namespace $namespace renders valid objects; nothing was applied" >&2
    ;;
  server-dry-run)
    echo "== server dry run in $context: the cluster checks the release; nothing is applied" >&2
    "$helm" upgrade --install "$release" "$chart" "${cluster[@]}" "${values[@]}" --dry-run=server >/dev/null
    echo "== server dry run passed: nothing was applied" >&2
    ;;
  diff)
    echo "== diff of $release in $context: live release (-) against this render (+); nothing is applied" >&2
    : >"$work/live.yaml"
    # helm list fails when the cluster cannot be reached, and is empty when there is no release yet.
    existing="$("$helm" list "${cluster[@]}" --filter "^${release}\$" --short)"
    if [[ -n "$existing" ]]; then
      "$helm" get manifest "$release" "${cluster[@]}" >"$work/live.yaml"
    else
      echo "(no release $release yet: everything is new)" >&2
    fi
    # The same render the upgrade would apply, with the cluster's own capabilities.
    "$helm" template "$release" "$chart" "${cluster[@]}" --validate "${values[@]}" >"$work/next.yaml"
    diff -u --label "live $release" --label "$env_name render" "$work/live.yaml" "$work/next.yaml" || true
    ;;
  upgrade)
    echo "== helm upgrade --install $release ($context, $namespace)" >&2
    # --rollback-on-failure (helm 4's --atomic) undoes a release whose pods never become ready.
    "$helm" upgrade --install "$release" "$chart" "${cluster[@]}" --create-namespace \
      "${values[@]}" --wait=watcher --rollback-on-failure --timeout 15m
    verify
    ;;
esac
