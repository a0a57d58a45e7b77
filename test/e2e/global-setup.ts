import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds the renderer once for the whole run, as `npm start` would serve it. */
export default function globalSetup(): void {
  if (process.env.SKIP_RENDERER_BUILD === '1') return;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}
