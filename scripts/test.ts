/**
 * `npm test`: the code's format (Prettier), lint (with the layering rules), typecheck, unit and integration tests (vitest), then the
 * end-to-end and Electron tests (Playwright). Every step runs; the run fails if any step failed.
 * At the end: the tests that failed (file, title and the first line of the error), and one line with the
 * number of tests passed, failed and skipped across both runners.
 *
 * A vitest file that fails is run once more on its own. A test that then passes is reported as flaky
 * (named, with its first error, and counted in the last line), so a timing race shows up in every
 * run's summary without one of them sinking a whole CI run; a test that fails twice fails the run.
 * Playwright does the same with `retries` under CI (playwright.config.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.test-reports');
mkdirSync(reports, { recursive: true });
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);

// Reports from the last run must not be counted again.
for (const f of ['vitest.json', 'vitest-rerun.json', 'playwright.json']) rmSync(join(reports, f), { force: true });

const steps: { name: string; args: string[]; env?: Record<string, string> }[] = [
  { name: 'format (prettier --check)', args: [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level=warn', '**/*.{ts,tsx,js,cjs,mjs,css}'] },
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
  console.error(
    `npm test: the tests need Debian packages that are not installed: ${missing.join(', ')}. Run \`npm run setup\` (installs them with apt-get), then npm test again.`,
  );
  process.exit(1);
}
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}
const readVitest = (file: string): VitestReport | null => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as VitestReport) : null);
const firstLine = (text: string | undefined): string =>
  (text ?? '')
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 240) ?? '';
/** Each failed test of a vitest report as `file › title: first line of the error` (a file that failed to load counts as one). */
const vitestFailures = (v: VitestReport): { file: string; line: string }[] =>
  v.testResults
    .filter((f) => f.status === 'failed')
    .flatMap((f) => {
      const file = relative(root, f.name);
      const tests = f.assertionResults.filter((a) => a.status === 'failed');
      if (tests.length === 0) return [{ file, line: `${file}: ${firstLine(f.message)}` }];
      return tests.map((a) => ({ file, line: `${file} › ${a.fullName}: ${firstLine(a.failureMessages[0])}` }));
    });

const results: { name: string; ok: boolean; seconds: number; status: number | null }[] = [];
const flaky: string[] = [];
let vitestRerun: VitestReport | null = null;
for (const step of steps) {
  if (only.length > 0 && !only.some((o) => step.name.includes(o))) continue;
  console.log(`\n▶ ${step.name}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...step.env } });
  let ok = r.status === 0;
  const first = step.name.includes('vitest') ? readVitest(join(reports, 'vitest.json')) : null;
  if (!ok && first) {
    const failures = vitestFailures(first);
    const files = [...new Set(failures.map((f) => f.file))];
    if (files.length > 0 && files.length <= 5) {
      console.log(`\n▶ vitest: running the ${files.length} failed file(s) once more on their own: ${files.join(', ')}`);
      const out = join(reports, 'vitest-rerun.json');
      const again = spawnSync(
        process.execPath,
        [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...files],
        { cwd: root, stdio: 'inherit' },
      );
      vitestRerun = readVitest(out);
      if (again.status === 0 && vitestRerun && vitestRerun.numFailedTests === 0) {
        ok = true;
        flaky.push(...failures.map((f) => f.line));
      }
    }
  }
  results.push({ name: step.name, ok, seconds: (Date.now() - started) / 1000, status: r.status });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const v = readVitest(join(reports, 'vitest.json'));
if (v) {
  passed += v.numPassedTests;
  skipped += v.numPendingTests + v.numTodoTests;
  if (flaky.length > 0) passed += v.numFailedTests;
  else {
    failed += v.numFailedTests;
    failures.push(...vitestFailures(v).map((f) => f.line));
    if (vitestRerun) failures.push(...vitestFailures(vitestRerun).map((f) => `(again on its own) ${f.line}`));
  }
}
interface PwSpec {
  title: string;
  file: string;
  tests: { status: string; results: { error?: { message?: string } }[] }[];
}
interface PwSuite {
  specs?: PwSpec[];
  suites?: PwSuite[];
}
const pwSpecs = (s: PwSuite): PwSpec[] => [...(s.specs ?? []), ...(s.suites ?? []).flatMap(pwSpecs)];
const pw = join(reports, 'playwright.json');
if (existsSync(pw)) {
  const p = JSON.parse(readFileSync(pw, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number }; suites: PwSuite[] };
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  skipped += p.stats.skipped;
  for (const spec of p.suites.flatMap(pwSpecs)) {
    for (const t of spec.tests) {
      const error = firstLine(t.results.find((x) => x.error)?.error?.message);
      if (t.status === 'unexpected') failures.push(`${spec.file} › ${spec.title}: ${error}`);
      if (t.status === 'flaky') flaky.push(`${spec.file} › ${spec.title}: ${error}`);
    }
  }
}

console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
for (const f of failures) console.log(`  failed: ${f}`);
// A step that failed with no test failing in its report: say so by name rather than count it silently.
if (failures.length === 0)
  for (const r of results.filter((x) => !x.ok)) {
    const why = r.name.includes('vitest')
      ? ' and no failed test in its report (an unhandled error or rejection: its file is named above, under "Unhandled Errors")'
      : r.name.includes('playwright')
        ? ' and no failed test in its report'
        : '';
    console.log(`  failed: ${r.name}: exited with ${r.status ?? 'a signal'}${why}`);
  }
const stepsFailed = results.filter((r) => !r.ok).length;
if (stepsFailed > 0 && failed === 0) failed = stepsFailed;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped${flaky.length > 0 ? `, ${flaky.length} flaky` : ''}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
