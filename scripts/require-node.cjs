// Runs under any Node, before npm start / test / bench / dist: this project's scripts are TypeScript run
// by Node's own type stripping (Node >= 22.18), which an older Node reports as a syntax error. Say in
// one line what to do instead. CommonJS and old syntax on purpose: it must load on Node 12 too.
'use strict';
var v = process.versions.node.split('.').map(Number);
var strips = Boolean(process.features && process.features.typescript) && (v[0] > 22 || (v[0] === 22 && v[1] >= 18));
if (!strips) {
  var what = process.env.npm_lifecycle_event ? 'npm run ' + process.env.npm_lifecycle_event : 'the command';
  console.error(
    'School Station needs Node >= 22.18 and this is Node ' +
      process.version +
      ': run `source scripts/toolchain.sh && npm ci` (installs Node 24 into .tools/), then ' +
      what +
      ' again.',
  );
  process.exit(1);
}
