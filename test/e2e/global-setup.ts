import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from '../../scripts/electron-binary.ts';
import { removeStrayKeyFolders } from '../helpers/stray-keys.ts';

/**
 * Builds once for the whole run: the renderer the browser host serves, and, where the Electron binary
 * exists, the whole desktop build the Electron tests launch.
 */
export default function globalSetup(): () => void {
  const since = Date.now();
  // After the run: the key folders left beside data folders the tests removed (test/helpers/stray-keys.ts).
  const teardown = () => void removeStrayKeyFolders(since);
  if (process.env.SKIP_RENDERER_BUILD === '1') return teardown;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const desktop = 'path' in electronBinary();
  const [tool, args] = desktop
    ? [resolve(root, 'node_modules/electron-vite/bin/electron-vite.js'), ['build', '--logLevel', 'warn']]
    : [resolve(root, 'node_modules/vite/bin/vite.js'), ['build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn']];
  execFileSync(process.execPath, [tool, ...args], { cwd: root, stdio: 'inherit' });
  return teardown;
}
