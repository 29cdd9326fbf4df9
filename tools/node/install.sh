#!/usr/bin/env bash
# Installs the npm packages exactly as package-lock.json pins them, for the README's commands
# (npm start, npm test): `npm ci`, which never rewrites the lockfile and fails when package.json and
# the lockfile disagree. Skipped when node_modules was installed from these very two files, so
# repeated runs stay fast. Run it with Node 24 first on PATH (tools/node/use-node24.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

stamp=node_modules/.installed-from.sha256
wanted="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && exit 0

npm ci --no-audit --no-fund --loglevel=error
echo "$wanted" > "$stamp"
