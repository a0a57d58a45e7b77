import type { BrowserWindowConstructorOptions } from 'electron';

export type WindowRole = 'operator' | 'customer';

export interface WindowOptionsInput {
  role: WindowRole;
  preloadPath: string;
  kiosk: boolean;
  /** Position on a second screen for the customer display. */
  bounds?: { x: number; y: number; width: number; height: number };
  /** From launchOptions(): never in a packaged build. */
  devTools?: boolean;
}

/**
 * What each window is given to reach the station: the operator's window the bridge (its preload,
 * `connect`, 'station:port'); the customer display its own preload and the customer channel (its
 * projection only; it can make no request). Pure, so a unit test pins that they never cross.
 */
export function windowChannel(role: WindowRole): {
  preload: 'index.cjs' | 'customer.cjs';
  connect: 'connect' | 'customer';
  channel: 'station:port' | 'customer:port';
} {
  return role === 'customer'
    ? { preload: 'customer.cjs', connect: 'customer', channel: 'customer:port' }
    : { preload: 'index.cjs', connect: 'connect', channel: 'station:port' };
}

/**
 * What the environment may change about a launch. A packaged station at a school entrance is started by
 * whoever can reach its shortcut: there, STATION_DATA_DIR (another data folder, another school) and
 * STATION_DEVTOOLS (a console in the page) are ignored; they serve development and the test runners.
 */
export function launchOptions(
  isPackaged: boolean,
  env: Readonly<Record<string, string | undefined>>,
  userData: string,
): { dataDir: string; devTools: boolean } {
  if (isPackaged) return { dataDir: userData, devTools: false };
  return { dataDir: env.STATION_DATA_DIR || userData, devTools: env.STATION_DEVTOOLS === '1' };
}

/**
 * Every window's options come from here, so the security checklist is one pure function a unit test
 * checks under plain Node: isolated, sandboxed, no Node in the page, web security on.
 */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const fullscreen = input.kiosk || input.role === 'customer';
  return {
    // The title comes from the page (translated by the renderer's i18n layer).
    width: input.bounds?.width ?? 1280,
    height: input.bounds?.height ?? 800,
    ...(input.bounds ? { x: input.bounds.x, y: input.bounds.y } : {}),
    minWidth: 1024,
    minHeight: 600,
    show: false,
    backgroundColor: '#f4f6f8',
    kiosk: input.kiosk && input.role === 'operator',
    fullscreen,
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: input.devTools === true,
    },
  };
}

/** The Content-Security-Policy main sets on every response of the app:// protocol. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' app: data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Only the app's own pages may load in its windows. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'station';
  } catch {
    return false;
  }
}
