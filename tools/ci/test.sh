#!/usr/bin/env bash
# The README's second command (npm test), and what CI runs: lint, type-check, build and test every
# project on a fresh machine, then check the web app with Lighthouse, then build every container
# image from its Dockerfile and run it as the chart does. Installs what it needs (Node 24, the npm packages as the lockfile pins them,
# redis-server, Prometheus, Chromium, and buildah, podman, runc, debootstrap and slirp4netns for the
# images); the tests start their own servers on free loopback ports and stop them.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/node/use-node24.sh
# npm ci: fails when package.json and package-lock.json disagree, and never rewrites the lockfile.
bash tools/node/install.sh
bash tools/system/ensure-packages.sh redis-server=redis-server promtool=prometheus chromium=chromium openssl=openssl nginx=nginx-light nginx=libnginx-mod-http-brotli-static \
  buildah=buildah podman=podman runc=runc debootstrap=debootstrap slirp4netns=slirp4netns

export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
summary="$(mktemp -d)"
trap 'rm -rf "$summary"' EXIT
export PP_TEST_SUMMARY_DIR="$summary"

status=0
# --skip-nx-cache: this command promises every check really ran; developers get caching from
# `nx affected -t test`.
node node_modules/nx/dist/bin/nx.js run-many -t lint typecheck build test --exclude=images \
  --parallel=2 --skip-nx-cache --outputStyle=static || status=$?
# Lighthouse (mobile, median of 3) on the production build the parallel phase made, between it and
# the images so the machine is as quiet as it gets: fails below performance 90, accessibility, best
# practices, SEO 100.
node tools/lighthouse/run.mjs --check || status=1
# The container images (tools/images) last and alone: their builds keep both cores busy for minutes,
# and the time they add is reported on its own.
images_started=$SECONDS
node node_modules/nx/dist/bin/nx.js run-many -t lint typecheck test -p images \
  --skip-nx-cache --outputStyle=static || status=$?
echo "Container images: built, run and checked in $((SECONDS - images_started)) s"
node tools/jest/print-summary.js "$summary" || status=1
exit "$status"
