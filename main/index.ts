/**
 * The Electron shell: lifecycle, single instance, windows, the station process, the app:// protocol.
 * No domain logic lives here; it runs in the station process (station/station-process.ts).
 */
import { join } from 'node:path';
import { app, BrowserWindow, MessageChannelMain, screen, session, utilityProcess, type UtilityProcess } from 'electron';
import { registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { createLogger } from '../node/logger.ts';
import { STATION_EXEC_ARGV } from '../node/station-runtime.ts';
import { StationLink } from './station-link.ts';
import { electronTokenVault } from './token-vault.ts';
import { electronKeyStore } from './data-keys.ts';
import { serveKeys, serveTokenVault } from './shell-calls.ts';
import { deriveKey, type KeyStore } from '../node/key-file.ts';
import { PhotoStore } from '../node/photos.ts';
import { privateUmask, secureDataDir } from '../node/data-dir.ts';
import type { TokenVault } from '../sync/token-vault.ts';
import { wireUpdates } from './update-wiring.ts';
import { Router } from '../common/contract/router.ts';
import { serveShell } from '../common/contract/shell-channel.ts';
import { shellContract, type ShellConnect, type ShellCustomer } from '../common/contract/shell.ts';
import { isAppUrl, launchOptions, windowChannel, windowOptions, type WindowRole } from './window-options.ts';

registerAppScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
}

const launch = launchOptions(app.isPackaged, process.env, app.getPath('userData'));
const dataDir = launch.dataDir;
const rendererDir = join(import.meta.dirname, '..', 'renderer');
const preloadDir = join(import.meta.dirname, '..', 'preload');
const migrationsDir = app.isPackaged ? join(process.resourcesPath, 'migrations') : join(app.getAppPath(), 'core', 'store', 'migrations');

// The data folder and everything main writes into it are this user's alone (node/data-dir.ts).
privateUmask();
secureDataDir(dataDir);
const mainLog = createLogger({ file: join(dataDir, 'logs', 'main.log'), name: 'main' });
// What the station process asks of main (common/contract/shell.ts): one Router for every station process
// main starts, connected to each in turn (startStation); the vault and the keys join once app is ready.
const shell = new Router(shellContract, mainLog, 'shell');
shell.handle('ready', ({ dataDir: served }) => {
  mainLog.info({ dataDir: served }, 'station: serving its ports');
  return {};
});
// Auto-update (main/updater.ts): does nothing unless packaged and not under a test runner.
const updates = wireUpdates({
  isPackaged: app.isPackaged,
  version: app.getVersion(),
  appPath: app.getAppPath(),
  userData: app.getPath('userData'),
  env: process.env,
  logger: { info: (m) => mainLog.info(m), warn: (m) => mainLog.warn(m), error: (m) => mainLog.error(m) },
  shell,
});

let station: UtilityProcess | null = null;
let link: StationLink | null = null;
const windows = new Map<number, { win: BrowserWindow; role: WindowRole }>();

function startStation(): void {
  station = utilityProcess.fork(join(import.meta.dirname, 'station-process.js'), [], {
    serviceName: 'School Station',
    execArgv: [...STATION_EXEC_ARGV],
    env: {
      ...process.env,
      STATION_TRANSPORT: 'port',
      STATION_DATA_DIR: dataDir,
      STATION_MIGRATIONS_DIR: migrationsDir,
      STATION_VERSION: app.getVersion(),
      STATION_SIGNED_BUILD: updates.signedBuild ? '1' : '0',
      STATION_PARENT_PID: String(process.pid),
    },
    stdio: 'inherit',
  });
  // The side channel (common/contract/shell.ts): main's Router answers; a message of another kind is logged.
  const line = serveShell(station, shell, mainLog);
  link = new StationLink(station);
  updates.attachStation(link);
  station.on('exit', (code) => {
    // The station must keep serving: restart it and hand every window a fresh port.
    console.error(`station process exited with ${code}; restarting`);
    line.close();
    link = null;
    station = null;
    if (!quitting)
      setTimeout(() => {
        startStation();
        for (const { win, role } of windows.values()) connectWindow(win, role);
      }, 1000);
  });
}

/**
 * Only windows this shell created ever receive a port to the station. The customer display's port is
 * served as the customer channel (its projection only), never as the bridge.
 */
function connectWindow(win: BrowserWindow, role: WindowRole): void {
  if (!station) return;
  const { port1, port2 } = new MessageChannelMain();
  const { connect, channel } = windowChannel(role);
  station.postMessage({ type: connect, windowId: win.id } satisfies ShellConnect | ShellCustomer, [port1]);
  win.webContents.postMessage(channel, null, [port2]);
}

function createWindow(role: WindowRole, kiosk: boolean): BrowserWindow {
  const second = role === 'customer' ? screen.getAllDisplays().find((d) => d.id !== screen.getPrimaryDisplay().id) : undefined;
  const win = new BrowserWindow(
    windowOptions({
      role,
      preloadPath: join(preloadDir, windowChannel(role).preload),
      kiosk,
      devTools: launch.devTools,
      ...(second ? { bounds: second.bounds } : {}),
    }),
  );
  windows.set(win.id, { win, role });
  win.on('closed', () => windows.delete(win.id));
  win.webContents.on('did-finish-load', () => connectWindow(win, role));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(role === 'customer' ? 'app://station/#/customer' : 'app://station/');
  return win;
}

let quitting = false;
app.on('before-quit', () => {
  quitting = true;
  updates.service.stop();
  station?.kill();
});

// Navigation, new windows, webviews and permission prompts are refused for every web contents.
// Nothing in the app calls shell.openExternal; links that try to leave the app are simply dropped.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('second-instance', () => {
  const first = [...windows.values()].find((w) => w.role === 'operator')?.win;
  if (first) {
    if (first.isMinimized()) first.restore();
    first.focus();
  }
});

void app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // safeStorage needs the app ready: the vault and the keys are made now, kept across station restarts.
  const tokenVault: TokenVault = electronTokenVault(join(dataDir, 'backend-token.bin'), (m) => console.warn(m));
  const dataKeys: KeyStore = electronKeyStore(dataDir, (m) => console.warn(m));
  serveTokenVault(shell, tokenVault, (m) => console.error(m));
  serveKeys(shell, dataKeys, (m) => console.error(m));
  serveAppProtocol(rendererDir, new PhotoStore(join(dataDir, 'photos'), deriveKey(dataKeys.key('data'), 'photos')));
  startStation();
  const settings = await link!.invoke('settings.get', {}).catch(() => null);
  createWindow('operator', settings?.kiosk ?? false);
  if (settings?.mode === 'cashier' && screen.getAllDisplays().length > 1) createWindow('customer', false);
  updates.service.start();
});

app.on('window-all-closed', () => app.quit());
