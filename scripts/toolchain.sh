# Sourced by .ci/run and by developers (`source scripts/toolchain.sh`): makes sure a Node that runs
# TypeScript by type stripping (>= 22.18; the project targets Node 24, the Node inside Electron 45) is on
# PATH, and that native addons build against that Node's headers. Where the machine's Node is older,
# Node 24 comes from the npm registry's `node` package into .tools/ in the project folder (or
# $SCHOOL_STATION_TOOLS). Safe under `set -euo pipefail`: every failure is handled here, and one that
# leaves no such Node returns non-zero with the reason.

_ss_toolchain() {
  local root tools node_bin home gc
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  tools="${SCHOOL_STATION_TOOLS:-$root/.tools}"

  # Node runs this project's TypeScript by type stripping, on by default from Node 22.18.
  _ss_node_ok() {
    node -e 'const v = process.versions.node.split(".").map(Number); process.exit(process.features.typescript && (v[0] > 22 || (v[0] === 22 && v[1] >= 18)) ? 0 : 1)' >/dev/null 2>&1
  }

  # A Node 24 this script installed earlier (its bin is already on PATH when sourced twice).
  _ss_find_node() {
    local f
    [ -d "$tools/node_modules" ] || return 0
    for f in "$tools"/node_modules/node-linux-*/bin/node "$tools"/node_modules/node/node_modules/node-linux-*/bin/node; do
      if [ -x "$f" ]; then echo "$f"; return 0; fi
    done
    return 0
  }

  if _ss_node_ok; then
    echo "toolchain: using Node $(node --version) from $(command -v node)"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "toolchain: Node $(node --version 2>/dev/null || echo 'is missing and') cannot run TypeScript (needs >= 22.18) and npm is missing, so Node 24 cannot be installed; install Node.js >= 22.18 and npm" >&2
    return 1
  fi

  # The machine's npm settings (registry, CA file) live in its Node's global npmrc; keep using them
  # once the Node 24 from .tools is first on PATH.
  gc="$(npm config get globalconfig 2>/dev/null || true)"
  node_bin="$(_ss_find_node)"
  if [ -z "$node_bin" ]; then
    echo "toolchain: Node $(node --version 2>/dev/null || echo none) cannot run this project's TypeScript (needs >= 22.18); installing Node 24 from the npm registry into $tools"
    if ! mkdir -p "$tools"; then
      echo "toolchain: cannot create $tools; set SCHOOL_STATION_TOOLS to a writable folder" >&2
      return 1
    fi
    printf '{"name":"school-station-tools","private":true,"allowScripts":{"node":true}}\n' > "$tools/package.json"
    if ! (cd "$tools" && npm install --no-audit --no-fund --loglevel=error node@24 >&2); then
      echo "toolchain: installing Node 24 from the npm registry failed (see npm's message above); install Node.js >= 22.18 by hand or retry with the registry reachable" >&2
      return 1
    fi
    node_bin="$(_ss_find_node)"
    if [ -z "$node_bin" ]; then
      echo "toolchain: npm installed the node package but no Node binary for $(uname -s)-$(uname -m) appeared in $tools/node_modules" >&2
      return 1
    fi
  fi
  home="$(dirname "$(dirname "$node_bin")")"
  export PATH="$home/bin:$PATH"
  export npm_config_nodedir="$home"
  if [ -n "$gc" ] && [ -f "$gc" ]; then export npm_config_globalconfig="$gc"; fi
  if ! _ss_node_ok; then
    echo "toolchain: $node_bin does not run as Node >= 22.18 (it says $(node --version 2>&1 || true))" >&2
    return 1
  fi
  echo "toolchain: using Node $(node --version) from $home (native addons build against its headers)"
  return 0
}

# Called in an `if` so that errexit from the caller's `set -e` cannot end the script half-way; the
# status is passed on: `return` when sourced, `exit` when run as a script.
if _ss_toolchain; then _ss_status=0; else _ss_status=$?; fi
unset -f _ss_toolchain _ss_find_node _ss_node_ok 2>/dev/null || true
if [ "$_ss_status" -ne 0 ]; then
  unset _ss_status
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi
unset _ss_status
