/**
 * The browser host: starts the station process as a plain Node process and serves the same UI and
 * bridge on 127.0.0.1 with a per-launch token. Used where Electron cannot run (tests in Chromium,
 * `npm start` without the Electron binary, thin-client kiosks).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPageHandler } from '../node/page-server.ts';
import { createLogger } from '../node/logger.ts';
import { PhotoStore } from '../node/photos.ts';
import { deriveKey, fileKeyStore, keyDirFor } from '../node/key-file.ts';
import { secureDataDir } from '../node/data-dir.ts';
import { STATION_EXEC_ARGV } from '../node/station-runtime.ts';

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
  secureDataDir(options.dataDir);
  const log = createLogger({ file: join(options.dataDir, 'logs', 'host.log'), name: 'browser-host' });
  // The page and the portraits are served from this process, as main serves app:// in Electron: a
  // portrait request never waits behind the station's durable writes. The bridge lives in the station
  // process; its socket is piped through here so the page keeps one origin.
  let pagePort = 0;
  let bridgePort = 0;
  const page = createServer(
    createPageHandler({
      // The same key file the station process opens its portraits with (node/key-file.ts).
      photos: new PhotoStore(join(options.dataDir, 'photos'), deriveKey(fileKeyStore(keyDirFor(options.dataDir, { ...process.env, ...options.env })).key('data'), 'photos')),
      token,
      staticDir: options.staticDir ?? join(root, 'out', 'renderer'),
      port: () => pagePort,
      log,
    }),
  );
  const sockets = new Set<Socket>();
  page.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const upstream = connect(bridgePort, '127.0.0.1', () => {
      const headers: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(socket).add(upstream);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
      sockets.delete(upstream);
    };
    upstream.on('error', drop).on('close', drop);
    socket.on('error', drop).on('close', drop);
  });
  await new Promise<void>((ok, fail) => {
    page.once('error', fail);
    page.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  pagePort = (page.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${pagePort}`;
  const closePage = () => {
    for (const s of sockets) s.destroy();
    const closed = new Promise<void>((ok) => page.close(() => ok()));
    // The browser's keep-alive page and portrait connections would hold close() open (an open tab
    // keeps them): end them too, so a stop never waits on a tab.
    page.closeAllConnections();
    return closed;
  };

  const child = fork(options.entry ?? join(root, 'station', 'station-process.ts'), [], {
    env: {
      ...process.env,
      ...options.env,
      STATION_TRANSPORT: 'ws',
      STATION_TOKEN: token,
      STATION_DATA_DIR: options.dataDir,
      STATION_PORT: '0',
      STATION_PAGE_ORIGIN: origin,
      STATION_MIGRATIONS_DIR: join(root, 'core', 'store', 'migrations'),
    },
    execArgv: ['--disable-warning=ExperimentalWarning', ...STATION_EXEC_ARGV],
    stdio: options.inheritStdio ? 'inherit' : ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const ready = await new Promise<{ port: number; startupMs: number }>((ok, fail) => {
    child.once('message', (m) => ok(m as { port: number; startupMs: number }));
    child.once('exit', (code) => fail(new Error(`station process exited (${code}) before it was ready:\n${stderr}`)));
  }).catch(async (err: unknown) => {
    await closePage();
    throw err;
  });
  bridgePort = ready.port;
  child.once('exit', () => void closePage());
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    child,
    startupMs: ready.startupMs,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        // A process that does not go even after SIGKILL (stuck in the kernel) must not hold the host.
        await Promise.race([exited, new Promise<void>((ok) => setTimeout(ok, 10_000).unref())]);
        clearTimeout(timer);
      }
      await closePage();
    },
  };
}
