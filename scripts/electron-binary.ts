import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Electron binary if it is installed, without requiring the electron package: its index tries to download
 * the binary when it is missing, which hangs or fails on a machine without access to its host.
 */
export function electronBinary(): { path: string } | { reason: string } {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(pkg)) return { reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  if (!rel) return { reason: 'the Electron binary was never downloaded (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed)' };
  const path = join(dist, rel);
  return existsSync(path) ? { path } : { reason: `the Electron binary is missing (${path})` };
}

/** Where a failed download is remembered, so the next start neither says "first start" nor waits again. */
const attemptFile = join(root, 'node_modules', '.cache', 'school-station', 'electron-download.json');
const RETRY_AFTER_MS = 24 * 60 * 60_000;

interface FailedAttempt {
  at: string;
  why: string;
}

function lastFailure(): FailedAttempt | null {
  try {
    return JSON.parse(readFileSync(attemptFile, 'utf8')) as FailedAttempt;
  } catch {
    return null;
  }
}

/** The download's own error turned into words for a newcomer, with how to get the binary. */
function explain(stderr: string, status: number | null): string {
  const last = stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${String(status)}`;
  const unreachable = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up/i.test(stderr);
  const cause = unreachable ? "Electron's download server cannot be reached from this computer" : `its download failed: ${last}`;
  return `${cause}. To get it, run \`npm run fetch-electron\` where that server is reachable (or set ELECTRON_MIRROR to a mirror you can reach)`;
}

/**
 * For `npm start`: Electron 45 has no install script and fetches its binary on first use. Try that
 * (unless ELECTRON_SKIP_BINARY_DOWNLOAD is set); where the download host cannot be reached it fails in
 * a moment, the failure is remembered for a day, and the caller falls back to the browser host with the
 * reason. `force` (npm run fetch-electron) tries again at once.
 */
export function ensureElectronBinary(force = false): { path: string } | { reason: string } {
  const found = electronBinary();
  if ('path' in found) return found;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { reason: `${found.reason}; ELECTRON_SKIP_BINARY_DOWNLOAD is set` };
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return found;
  const failed = lastFailure();
  const failedAt = failed ? Date.parse(failed.at) : NaN;
  if (!force && failed && Date.now() - failedAt < RETRY_AFTER_MS) {
    return { reason: `the Electron binary could not be downloaded (${new Date(failedAt).toLocaleString()}): ${failed.why}` };
  }
  console.log(failed ? 'Trying again to fetch the Electron binary…' : 'Fetching the Electron binary (first start)…');
  const r = spawnSync(process.execPath, [installer], {
    cwd: join(root, 'node_modules', 'electron'),
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: 10 * 60_000,
  });
  if (r.status === 0) {
    rmSync(attemptFile, { force: true });
    return electronBinary();
  }
  const why = explain(r.stderr?.toString() ?? '', r.status);
  mkdirSync(dirname(attemptFile), { recursive: true });
  writeFileSync(attemptFile, JSON.stringify({ at: new Date().toISOString(), why } satisfies FailedAttempt));
  return { reason: `the Electron binary could not be downloaded: ${why}` };
}

// `npm run fetch-electron`: try the download now, whatever an earlier try said.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = ensureElectronBinary(true);
  if ('path' in r) console.log(`Electron binary: ${r.path}`);
  else {
    console.error(`School Station: ${r.reason}.`);
    process.exit(1);
  }
}
