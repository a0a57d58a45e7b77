/**
 * `npm test`: lint (with the layering rules), typecheck, unit and integration tests (vitest), then the
 * end-to-end and Electron tests (Playwright). Every step runs; the run fails if any step failed.
 * At the end: one line with the number of tests passed, failed and skipped across both runners.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.test-reports');
mkdirSync(reports, { recursive: true });
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);

// Reports from the last run must not be counted again.
for (const f of ['vitest.json', 'playwright.json']) rmSync(join(reports, f), { force: true });

const steps: { name: string; args: string[]; env?: Record<string, string> }[] = [
  { name: 'lint', args: [bin('eslint', 'bin/eslint.js'), '--max-warnings=0', '.'] },
  { name: 'typecheck', args: [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit'] },
  {
    name: 'unit + integration (vitest)',
    args: [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${join(reports, 'vitest.json')}`],
  },
  {
    name: 'end to end + electron (playwright)',
    args: [bin('@playwright/test', 'cli.js'), 'test'],
  },
];

// pcscd (started by the PC/SC tests) lives in /usr/sbin, which a user's PATH may lack.
const sbin = ['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => !(process.env.PATH ?? '').split(':').includes(d));
if (sbin.length > 0) process.env.PATH = [process.env.PATH, ...sbin].filter(Boolean).join(':');

/**
 * The Debian packages the tests use (scripts/debian-packages.txt): when some are missing, say which and
 * the command that installs them, instead of letting the tests fail one by one.
 */
function missingPackages(): string[] | null {
  const list = readFileSync(join(root, 'scripts', 'debian-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const q = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...list], { encoding: 'utf8' });
  if (q.error) return null; // not a Debian-like system: the tests say what they lack themselves
  const installed = new Set(
    q.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return list.filter((p) => !installed.has(p));
}

const only = process.argv.slice(2);
const missing = missingPackages();
if (missing && missing.length > 0) {
  console.error(`npm test: the tests need Debian packages that are not installed: ${missing.join(', ')}. Run \`npm run setup\` (installs them with apt-get), then npm test again.`);
  process.exit(1);
}
const results: { name: string; ok: boolean; seconds: number }[] = [];
for (const step of steps) {
  if (only.length > 0 && !only.some((o) => step.name.includes(o))) continue;
  console.log(`\n▶ ${step.name}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...step.env } });
  results.push({ name: step.name, ok: r.status === 0, seconds: (Date.now() - started) / 1000 });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = join(reports, 'vitest.json');
if (existsSync(vitest)) {
  const v = JSON.parse(readFileSync(vitest, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
}
const pw = join(reports, 'playwright.json');
if (existsSync(pw)) {
  const p = JSON.parse(readFileSync(pw, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  skipped += p.stats.skipped;
}

console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
const stepsFailed = results.filter((r) => !r.ok).length;
if (stepsFailed > 0 && failed === 0) failed = stepsFailed;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
