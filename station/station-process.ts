/**
 * The station process (docs/architecture.md): core, hardware and sync in one Node process. Electron starts it as
 * a utilityProcess and hands it one MessagePort per window; the browser host forks it as a plain Node
 * process and it serves the same bridge over a WebSocket on 127.0.0.1.
 *
 * Environment: STATION_TRANSPORT=ws|port, STATION_DATA_DIR, STATION_TOKEN and STATION_PORT (ws),
 * STATION_STATIC_DIR (ws: the built renderer), STATION_PAGE_ORIGIN (ws: the page when the host serves it), STATION_MIGRATIONS_DIR (packaged app), STATION_VERSION,
 * STATION_SIGNED_BUILD=1 (the shell's build was code-signed; shown in About).
 * STATION_BACKEND_URL (+ STATION_ENROLLMENT_CODE): the backend to sync with.
 * STATION_CUSTOMER_TOKEN (ws): the customer display's own token. STATION_PARENT_PID: the process that
 * started this one; when it is gone, so is this one.
 *
 * One station process per data folder (node/station-lock.ts): a second one exits with
 * EXIT_DATA_FOLDER_LOCKED and says which process holds the folder.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialUpdateState } from '../common/update-policy.ts';
import { servePorts, type ParentPort } from '../core/bridge/port-transport.ts';
import { shellClient } from '../common/contract/shell-channel.ts';
import { remoteTokenVault } from './remote-token-vault.ts';
import { remoteKeyStore } from './remote-keys.ts';
import { startWsBridge } from '../core/bridge/ws-server.ts';
import { defaultDataDir, privateUmask } from '../node/data-dir.ts';
import { createLogger } from '../node/logger.ts';
import { DataFolderLocked, lockDataFolder } from '../node/station-lock.ts';
import { transportAllowed } from '../common/transport.ts';
import { createStation } from './station.ts';
import { attachUpdateRelay } from './update-relay.ts';
import { updateAudit } from './it-access.ts';

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

/** The exit code of a station refused because another one holds the data folder (EX_TEMPFAIL). */
const EXIT_DATA_FOLDER_LOCKED = 75;
mkdirSync(dataDir, { recursive: true });
let releaseLock = (): void => {};
try {
  const lock = lockDataFolder(dataDir);
  releaseLock = () => lock.release();
  process.on('exit', releaseLock);
} catch (err) {
  if (!(err instanceof DataFolderLocked)) throw err;
  log.error({ owner: err.owner }, `station: ${err.message}`);
  console.error(`School Station: ${err.message}`);
  process.exit(EXIT_DATA_FOLDER_LOCKED);
}

/**
 * process.exit runs the 'exit' listeners first, and a listener that throws (pino's flush of a log file
 * that is not open) stops it there: the process would go on running. The second call skips the
 * listeners and ends the process.
 */
function exitNow(code: number): never {
  releaseLock();
  try {
    process.exit(code);
  } catch {
    process.exit(code);
  }
}

// Installed before anything starts: a SIGTERM during start-up ends the process too.
let closeUpdates = (): void => {};
let closeShell = (): void => {};
let closeBridge: () => Promise<void> = async () => {};
let closeStation: () => Promise<void> = async () => {};
let stopping = false;
/** Whatever is pending (a sync request, a slow disk), the process is gone this long after it is asked. */
const STOP_DEADLINE_MS = 3000;
const stop = async (why: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  log.info({ why }, 'station: stopping');
  // Every write is its own SQLite transaction: ending mid-way loses nothing that was acknowledged.
  setTimeout(() => {
    log.warn({ why }, 'station: did not stop in time; exiting now');
    exitNow(1);
  }, STOP_DEADLINE_MS).unref();
  try {
    closeUpdates();
    closeShell();
    await closeBridge();
    await closeStation();
  } catch (err) {
    log.error({ err }, 'station: error while stopping');
  }
  exitNow(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// A forked child hears its parent go through the IPC channel; an Electron utility process, and a child
// whose parent was killed before the channel said so, through the parent's pid.
process.on('disconnect', () => void stop('parent gone'));
const parentPid = Number(env.STATION_PARENT_PID);
if (Number.isInteger(parentPid) && parentPid > 1) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') void stop('parent gone');
    }
  }, 1000).unref();
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const overPorts = (env.STATION_TRANSPORT ?? (parentPort ? 'port' : 'ws')) === 'port';

// The side channel to main (common/contract/shell.ts): one client for everything the station asks of
// main (the vault, the keys, the updater); it logs a message of a kind nobody here serves.
const shell = overPorts && parentPort ? shellClient(parentPort, log) : null;
if (shell) closeShell = () => shell.close('the station is stopping');

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
    ? { backend: { url: env.STATION_BACKEND_URL, code: env.STATION_ENROLLMENT_CODE ?? null } }
    : {}),
  // In Electron the backend token and the data keys are kept by main with safeStorage; the station asks for them.
  ...(shell ? { vault: remoteTokenVault(shell), keys: await remoteKeyStore(shell) } : {}),
  version,
});

closeStation = () => station.close();

// Auto-update lives in the Electron shell; the station relays its state (none under the browser host).
const updates = attachUpdateRelay({
  router: station.router,
  shell,
  log,
  // IT's update actions are recorded with who did them (the router let only an IT session through).
  audit: updateAudit(station.it),
  fallback: () =>
    initialUpdateState({
      currentVersion: version,
      channel: station.store()?.settings.get().update.channel ?? 'stable',
      signedBuild: env.STATION_SIGNED_BUILD === '1',
      disabledReason: overPorts ? 'waiting_for_shell' : 'browser_host',
    }),
});
closeUpdates = () => updates.close();

if (overPorts) {
  if (!parentPort) throw new Error('STATION_TRANSPORT=port needs an Electron utilityProcess');
  servePorts(parentPort, station.router, log);
  shell?.request('ready', { dataDir }).catch((err: unknown) => log.warn({ err }, 'station: main did not take the ready message'));
} else {
  const token = env.STATION_TOKEN;
  if (!token || token.length < 16) throw new Error('STATION_TOKEN (at least 16 characters) is required for the WebSocket bridge');
  const bridge = await startWsBridge({
    ...(env.STATION_PAGE_ORIGIN ? { pageOrigin: env.STATION_PAGE_ORIGIN } : {}),
    router: station.router,
    photos: station.photos,
    token,
    customerToken: env.STATION_CUSTOMER_TOKEN && env.STATION_CUSTOMER_TOKEN.length >= 16 ? env.STATION_CUSTOMER_TOKEN : null,
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
