# Sourced by .ci/run and by developers: makes sure a Node >= 22 is on PATH (the project targets Node 24,
# the Node inside Electron 45) and that native addons build against that Node's headers.
# Where the machine's Node is older, Node 24 comes from the npm registry's `node` package into .tools/.
_ss_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_ss_major" -lt 22 ]; then
  # The machine's npm settings (registry, CA file) live in its Node's global npmrc; keep using them.
  _ss_gc=$(npm config get globalconfig 2>/dev/null)
  _ss_tools="${SCHOOL_STATION_TOOLS:-$(pwd)/.tools}"
  _ss_node=$(find "$_ss_tools/node_modules" -path '*/node-linux-*/bin/node' -type f 2>/dev/null | head -n 1)
  if [ -z "$_ss_node" ]; then
    echo "toolchain: Node $(node --version 2>/dev/null) is older than 22; installing Node 24 into $_ss_tools" >&2
    mkdir -p "$_ss_tools"
    printf '{"name":"school-station-tools","private":true,"allowScripts":{"node":true}}\n' > "$_ss_tools/package.json"
    (cd "$_ss_tools" && npm install --no-audit --no-fund --loglevel=error node@24 >&2)
    _ss_node=$(find "$_ss_tools/node_modules" -path '*/node-linux-*/bin/node' -type f | head -n 1)
  fi
  _ss_home=$(dirname "$(dirname "$_ss_node")")
  export PATH="$_ss_home/bin:$PATH"
  export npm_config_nodedir="$_ss_home"
  if [ -n "$_ss_gc" ] && [ -f "$_ss_gc" ]; then export npm_config_globalconfig="$_ss_gc"; fi
fi
unset _ss_major _ss_tools _ss_node _ss_home _ss_gc
