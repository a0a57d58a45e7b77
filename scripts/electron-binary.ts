import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * For `npm start`: Electron 45 has no install script and fetches its binary on first use. Try that once
 * (unless ELECTRON_SKIP_BINARY_DOWNLOAD is set); where the download host cannot be reached it fails in
 * a moment and the caller falls back to the browser host with the reason.
 */
export function ensureElectronBinary(): { path: string } | { reason: string } {
  const found = electronBinary();
  if ('path' in found) return found;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { reason: `${found.reason}; ELECTRON_SKIP_BINARY_DOWNLOAD is set` };
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return found;
  console.log('Fetching the Electron binary (first start)…');
  const r = spawnSync(process.execPath, [installer], { cwd: join(root, 'node_modules', 'electron'), stdio: ['ignore', 'inherit', 'pipe'], timeout: 10 * 60_000 });
  if (r.status === 0) return electronBinary();
  const why = (r.stderr?.toString() ?? '').trim().split('\n').filter(Boolean).pop() ?? `exit ${String(r.status)}`;
  return { reason: `the Electron binary could not be downloaded (${why})` };
}
