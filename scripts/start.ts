/**
 * `npm start`: the station in Electron where its binary exists; otherwise the browser host serves the
 * same UI on 127.0.0.1 and prints the address and why it fell back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../core/data-dir.ts';
import { startBrowserHost } from '../host/browser-host.ts';
import { electronBinary } from './electron-binary.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const vite = (config: string[]) => [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', ...config, '--logLevel', 'warn'];
const electron = process.env.STATION_BROWSER_HOST === '1' ? { reason: 'STATION_BROWSER_HOST=1 asks for the browser host' } : electronBinary();

if ('path' in electron) {
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
  const child = spawn(electron.path, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  run(process.execPath, vite(['-c', 'vite.renderer.config.ts']));
  const dataDir = defaultDataDir();
  const host = await startBrowserHost({ dataDir, port: Number(process.env.STATION_PORT ?? 0) });
  console.log(`\nSchool Station is running in the browser host because ${electron.reason}.`);
  console.log(`Data folder: ${dataDir}`);
  console.log(`Open in a browser on this computer:\n\n  ${host.url}\n`);
  console.log('Press Ctrl+C to stop.');
  const stop = () => void host.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  host.child.on('exit', (code) => {
    console.error(`the station process exited (${code}); see ${join(dataDir, 'logs', 'station.log')}`);
    process.exit(1);
  });
}
