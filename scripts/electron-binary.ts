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
