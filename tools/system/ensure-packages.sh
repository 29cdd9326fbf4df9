#!/usr/bin/env bash
# Makes sure system programs exist, installing Debian packages with apt-get when they don't.
# Usage: ensure-packages.sh COMMAND=PACKAGE ...   (e.g. redis-server=redis-server)
set -euo pipefail

missing=()
for spec in "$@"; do
  command -v "${spec%%=*}" >/dev/null 2>&1 || missing+=("${spec#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${missing[*]}. Install them with your system's package manager, then run this again." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}  then run this again." >&2
  exit 1
fi

echo "Installing ${missing[*]} with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
install() { "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# The package lists of a fresh machine may be empty or stale: refresh them only when needed.
install 2>/dev/null || { "${sudo[@]}" apt-get update -qq >/dev/null && install; }
