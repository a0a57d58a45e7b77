/**
 * The station process (docs/architecture.md): core, hardware and sync in one Node process. Electron starts it as
 * a utilityProcess and hands it one MessagePort per window; the browser host forks it as a plain Node
 * process and it serves the same bridge over a WebSocket on 127.0.0.1.
 *
 * Environment: STATION_TRANSPORT=ws|port, STATION_DATA_DIR, STATION_TOKEN and STATION_PORT (ws),
 * STATION_STATIC_DIR (ws: the built renderer), STATION_PAGE_ORIGIN (ws: the page when the host serves it), STATION_MIGRATIONS_DIR (packaged app), STATION_VERSION,
 * STATION_SIGNED_BUILD=1 (the shell's build was code-signed; shown in About).
 * STATION_BACKEND_URL (+ STATION_ENROLLMENT_CODE): the backend to sync with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialUpdateState } from '../common/update-policy.ts';
import { servePorts, type ParentPort } from '../core/bridge/port-transport.ts';
import { remoteTokenVault } from './remote-token-vault.ts';
import { remoteKeyStore } from './remote-keys.ts';
import { startWsBridge } from '../core/bridge/ws-server.ts';
import { defaultDataDir, privateUmask } from '../node/data-dir.ts';
import { createLogger } from '../node/logger.ts';
import { transportAllowed } from '../common/transport.ts';
import { createStation } from './station.ts';
import { attachUpdateRelay } from './update-relay.ts';

const env = process.env;
const dataDir = defaultDataDir(env);
// Everything this process writes (database, WAL, portraits, exports, logs) is its user's alone.
privateUmask();
const log = createLogger({ file: join(dataDir, 'logs', 'station.log') });
const startedAt = performance.now();
// The shell passes its version; run from source or from the built bundle (out/station/) under the
// browser host, the station reads the project's package.json, the nearest one above it.
const version = env.STATION_VERSION ?? packageVersion();

function packageVersion(): string {
  for (const up of ['..', join('..', '..'), join('..', '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'school-station' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder further up
    }
  }
  return '0.0.0';
}

process.on('uncaughtException', (err) => log.error({ err }, 'station: uncaught exception'));
process.on('unhandledRejection', (err) => log.error({ err }, 'station: unhandled rejection'));

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const overPorts = (env.STATION_TRANSPORT ?? (parentPort ? 'port' : 'ws')) === 'port';

/** STATION_BACKEND_URL must be HTTPS beyond this computer; one that is not is refused with a line for IT. */
function backendUrlAllowed(url: string): boolean {
  if (transportAllowed(url)) return true;
  log.error({ backendUrl: url }, 'sync: STATION_BACKEND_URL refused: a backend beyond this computer must be https://');
  return false;
}

const station = await createStation({
  dataDir,
  logger: log,
  ...(env.STATION_MIGRATIONS_DIR ? { migrationsDir: env.STATION_MIGRATIONS_DIR } : {}),
  ...(env.STATION_DEMO_STUDENTS ? { demoStudents: Number(env.STATION_DEMO_STUDENTS) } : {}),
  // A backend given at start (npm start's reference server, or IT's): replaces the demo school.
  ...(env.STATION_BACKEND_URL && backendUrlAllowed(env.STATION_BACKEND_URL)
    ? { backend: { url: env.STATION_BACKEND_URL, code: env.STATION_ENROLLMENT_CODE ?? null} }
    : {}),
  // In Electron the backend token and the data keys are kept by main with safeStorage; the station asks for them.
  ...(overPorts && parentPort ? { vault: remoteTokenVault(parentPort), keys: await remoteKeyStore(parentPort) } : {}),
  version,
});

let closeBridge: () => Promise<void> = async () => {};

// Auto-update lives in the Electron shell; the station relays its state (none under the browser host).
const updates = attachUpdateRelay({
  router: station.router,
  parent: overPorts ? (parentPort ?? null) : null,
  log,
  fallback: () =>
    initialUpdateState({
      currentVersion: version,
      channel: station.store()?.settings.get().update.channel ?? 'stable',
      signedBuild: env.STATION_SIGNED_BUILD === '1',
      disabledReason: overPorts ? 'waiting_for_shell' : 'browser_host',
    }),
});

if (overPorts) {
  if (!parentPort) throw new Error('STATION_TRANSPORT=port needs an Electron utilityProcess');
  servePorts(parentPort, station.router, log);
  parentPort.postMessage({ type: 'ready', dataDir });
} else {
  const token = env.STATION_TOKEN;
  if (!token || token.length < 16) throw new Error('STATION_TOKEN (at least 16 characters) is required for the WebSocket bridge');
  const bridge = await startWsBridge({
    ...(env.STATION_PAGE_ORIGIN ? { pageOrigin: env.STATION_PAGE_ORIGIN } : {}),
    router: station.router,
    photos: station.photos,
    token,
    staticDir: env.STATION_STATIC_DIR ?? null,
    port: Number(env.STATION_PORT ?? 0),
    log,
  });
  closeBridge = bridge.close;
  const ready = { type: 'ready', url: bridge.url, port: bridge.port, dataDir, startupMs: Math.round(performance.now() - startedAt) };
  if (process.send) process.send(ready);
  else console.log(JSON.stringify(ready));
}
log.info({ dataDir, pid: process.pid }, 'station: ready');

let stopping = false;
const stop = async (why: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, 'station: stopping');
  updates.close();
  await closeBridge();
  await station.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.on('disconnect', () => void stop('parent gone'));
