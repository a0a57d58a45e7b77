/**
 * `npm start`: the station in Electron where its binary exists; otherwise the browser host serves the
 * same UI on 127.0.0.1 and prints the address and why it fell back.
 *
 * Unless a backend is configured (STATION_BACKEND_URL, or a backend set on the station's setup screen),
 * the reference server runs beside the station on 127.0.0.1 (SQLite in <data>/server, the demo school of
 * 30) and the station enrolls itself to it with a fresh code, so a newcomer sees sync work.
 *
 * `npm start -- --second-station` also starts a second station (a guard post, "Второй вход", its own
 * data folder <data>-second) under the browser host against the same reference server: a pass at one
 * appears in the other's counters and roll call within a second.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { systemClock } from '../common/clock.ts';
import { defaultDataDir } from '../node/data-dir.ts';
import type { StationMode } from '../common/settings.ts';
import { openStore } from '../core/store/index.ts';
import { bundledStationEntry, startBrowserHost } from '../host/browser-host.ts';
import { ensureDemoSchool } from '../server/admin.ts';
import { startServer, type RunningServer } from '../server/index.ts';
import { ensureElectronBinary } from './electron-binary.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const secondStation = process.argv.includes('--second-station');
/** The second station's name and folder; its token file says which station of the server it is. */
const SECOND_NAME = 'Второй вход';
const secondDir = (dataDir: string) => `${dataDir}-second`;
function secondStationId(dataDir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(secondDir(dataDir), 'backend-token.json'), 'utf8')) as { stationId?: string }).stationId ?? null;
  } catch {
    return null;
  }
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** main, preload, the station process bundle and the renderer (no Electron binary needed to build). */
const build = () => run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn']);
/** The backend and mode the station's own settings name, if its store can be read (a damaged one: the station says so). */
function stationSettings(dataDir: string): { backendUrl: string | null; mode: StationMode } {
  const db = join(dataDir, 'station.db');
  if (!existsSync(db)) return { backendUrl: null, mode: 'unset' };
  try {
    const store = openStore(db, systemClock());
    try {
      const s = store.settings.get();
      return { backendUrl: s.backendUrl, mode: s.mode };
    } finally {
      store.close();
    }
  } catch {
    return { backendUrl: null, mode: 'unset' };
  }
}

/** Starts the reference server beside the station unless a backend is configured; sets the station's env. */
async function referenceServer(dataDir: string): Promise<{ server: RunningServer | null; backendUrl: string | null }> {
  if (process.env.STATION_BACKEND_URL) return { server: null, backendUrl: process.env.STATION_BACKEND_URL };
  const serverDir = join(dataDir, 'server');
  const urlFile = join(serverDir, 'station-url.txt');
  const lastUrl = existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : null;
  const { backendUrl: configured, mode } = stationSettings(dataDir);
  if (configured && configured !== lastUrl) return { server: null, backendUrl: configured };
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const logger = pino({ name: 'server' }, pino.destination({ dest: join(dataDir, 'logs', 'server.log'), mkdir: true, sync: false }));
  const port = Number(process.env.STATION_SERVER_PORT ?? 47470);
  // The same port each time keeps the station's enrollment; a busy port gets a free one (the station re-enrolls).
  const server = await startServer({ dataDir: serverDir, port, logger }).catch(() => startServer({ dataDir: serverDir, port: 0, logger }));
  if (await ensureDemoSchool(server.repo, { students: 30 })) console.log('Seeded the demo school (30 students) into the reference server.');
  writeFileSync(urlFile, server.url);
  // A station's token sends only its role's events. The local server follows the station's mode: the
  // code is for that mode's role (a fresh station, with no mode yet, starts as a guard post), and a station
  // enrolled before whose mode changed since gets the new role here, at the next `npm start`.
  const role = mode === 'cashier' ? 'cashier' : 'guard';
  if (mode !== 'unset') {
    const second = secondStationId(dataDir);
    for (const st of await server.repo.stations()) if (!st.revokedAt && st.role !== role && st.id !== second) await server.repo.setStationRole(st.id, role);
  }
  const { code } = await server.repo.createEnrollmentCode(role, 60);
  process.env.STATION_BACKEND_URL = server.url;
  process.env.STATION_ENROLLMENT_CODE = code;
  return { server, backendUrl: server.url };
}

const electron = process.env.STATION_BROWSER_HOST === '1' ? { reason: 'STATION_BROWSER_HOST=1 asks for the browser host' } : ensureElectronBinary();

const dataDir = defaultDataDir();
const backend = await referenceServer(dataDir);

/**
 * The second station: a guard post of the same school, in its own process and data folder, enrolled to
 * the reference server with a code of its own. Only beside the reference server `npm start` runs (a
 * school's own backend gives its codes on the station's setup screen).
 */
async function startSecondStation(): Promise<{ stop(): Promise<void> } | null> {
  if (!secondStation) return null;
  if (!backend.server) {
    console.log('--second-station needs the reference server npm start runs (no STATION_BACKEND_URL, no backend set on the setup screen); not started.');
    return null;
  }
  const dir = secondDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const store = openStore(join(dir, 'station.db'), systemClock());
  try {
    if (store.settings.get().mode === 'unset') {
      store.settings.update({
        mode: 'guard',
        stationName: SECOND_NAME,
        readers: [
          { id: 'demo', kind: 'simulated', role: 'entry' },
          { id: 'demo-exit', kind: 'simulated', role: 'exit' },
        ],
      });
    }
  } finally {
    store.close();
  }
  const { code } = await backend.server.repo.createEnrollmentCode('guard', 60);
  const host = await startBrowserHost({
    dataDir: dir,
    entry: bundledStationEntry,
    env: { STATION_BACKEND_URL: backend.server.url, STATION_ENROLLMENT_CODE: code },
  });
  console.log(`A second station (${SECOND_NAME}, a guard post of the same school; data folder ${dir}):\n\n  ${host.url}\n`);
  return host;
}
const describeBackend = () =>
  backend.server ? `Reference server (demo school, SQLite in ${join(dataDir, 'server')}):\n\n  ${backend.server.url}\n` : `Backend: ${backend.backendUrl}\n`;

if ('path' in electron) {
  console.log(describeBackend());
  build();
  const second = await startSecondStation();
  const child = spawn(electron.path, [root], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => void (second?.stop() ?? Promise.resolve()).then(() => backend.server?.close()).then(() => process.exit(code ?? 0)));
} else {
  build();
  const host = await startBrowserHost({ dataDir, entry: bundledStationEntry, port: Number(process.env.STATION_PORT ?? 0) });
  console.log(`\nSchool Station is running in the browser host because ${electron.reason}.`);
  console.log(`Data folder: ${dataDir}`);
  console.log(`Open in a browser on this computer:\n\n  ${host.url}\n`);
  console.log(`The customer display (a till's screen turned to the queue) has its own address:\n\n  ${host.customerUrl}\n`);
  console.log('Both stay the same at every start on this data folder; an open tab reconnects by itself.\n');
  console.log(describeBackend());
  const second = await startSecondStation();
  console.log('Press Ctrl+C to stop.');
  // Ctrl+C reaches the whole process group, so the station process may end before host.stop() asks it
  // to: once stopping, its exit is the expected one and says nothing.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void host.stop().then(async () => {
      await second?.stop();
      await backend.server?.close();
      console.log('School Station stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  host.child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`The station process ended unexpectedly (${signal ?? `exit ${String(code)}`}); see ${join(dataDir, 'logs', 'station.log')}`);
    process.exit(1);
  });
}
