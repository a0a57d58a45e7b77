/**
 * The browser host: starts the station process as a plain Node process and serves the same UI and
 * bridge on 127.0.0.1 with a per-launch token. Used where Electron cannot run (tests in Chromium,
 * `npm start` without the Electron binary, thin-client kiosks).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BrowserHostOptions {
  /**
   * The station process to start: its TypeScript source (default, what the tests run) or the bundle
   * `npm run build` writes (`bundledStationEntry`), which starts faster.
   */
  entry?: string;
  dataDir: string;
  /** The built renderer; defaults to out/renderer. */
  staticDir?: string;
  port?: number;
  env?: Record<string, string>;
  /** Print the station's log lines to stderr as well (the log file is always written). */
  inheritStdio?: boolean;
}

export interface BrowserHost {
  /** Open this once: it carries the token and sets the cookie. */
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  startupMs: number;
  stop(): Promise<void>;
}

/** The station process as electron-vite bundles it (one file, no type stripping at start). */
export const bundledStationEntry = join(root, 'out', 'main', 'station-process.js');

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(24).toString('hex');
  const child = fork(options.entry ?? join(root, 'core', 'station-process.ts'), [], {
    env: {
      ...process.env,
      ...options.env,
      STATION_TRANSPORT: 'ws',
      STATION_TOKEN: token,
      STATION_DATA_DIR: options.dataDir,
      STATION_PORT: String(options.port ?? 0),
      STATION_STATIC_DIR: options.staticDir ?? join(root, 'out', 'renderer'),
      STATION_MIGRATIONS_DIR: join(root, 'core', 'store', 'migrations'),
    },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: options.inheritStdio ? 'inherit' : ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const ready = await new Promise<{ url: string; startupMs: number }>((ok, fail) => {
    child.once('message', (m) => ok(m as { url: string; startupMs: number }));
    child.once('exit', (code) => fail(new Error(`station process exited (${code}) before it was ready:\n${stderr}`)));
  });
  const origin = ready.url.replace(/\/$/, '');
  return {
    url: `${ready.url}?token=${token}`,
    origin,
    token,
    child,
    startupMs: ready.startupMs,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
