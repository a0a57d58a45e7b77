/**
 * The browser host: starts the station process as a plain Node process and serves the same UI and
 * bridge on 127.0.0.1 behind a token kept in the data folder (node/host-keys.ts), on the port it used
 * last time when that is free, so an open tab survives a restart. Used where Electron cannot run
 * (tests in Chromium, `npm start` without the Electron binary, thin-client kiosks).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHostKeys, saveHostKeys } from '../node/host-keys.ts';
import { BadRequest, cookieNames, guardServer, refuseSocket, requestUrl } from '../node/http-guard.ts';
import { CUSTOMER_PATH, createPageHandler } from '../node/page-server.ts';
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
  /** The customer display's address (its own token, its own cookie, only the cart and the total). */
  customerUrl: string;
  origin: string;
  token: string;
  customerToken: string;
  /** A `cookie` header for a client outside a browser (tests): the operator's, or the customer display's. */
  cookie: string;
  customerCookie: string;
  child: ChildProcess;
  startupMs: number;
  stop(): Promise<void>;
}

/** The station process as electron-vite bundles it (one file, no type stripping at start). */
export const bundledStationEntry = join(root, 'out', 'main', 'station-process.js');

/** Sockets piped to the station's bridge at once (tabs, customer displays); the rest is a leak or a flood. */
const MAX_BRIDGE_SOCKETS = 64;

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const onError = (err: Error) => fail(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      ok();
    });
  });
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  secureDataDir(options.dataDir);
  const log = createLogger({ file: join(options.dataDir, 'logs', 'host.log'), name: 'browser-host' });
  const keys = loadHostKeys(options.dataDir, log);
  const { token, customerToken } = keys;
  // The page and the portraits are served from this process, as main serves app:// in Electron: a
  // portrait request never waits behind the station's durable writes. The bridge lives in the station
  // process; its socket is piped through here so the page keeps one origin.
  let pagePort = 0;
  let bridgePort = 0;
  const page = createServer(
    createPageHandler({
      // The same key file the station process opens its portraits with (node/key-file.ts).
      photos: new PhotoStore(
        join(options.dataDir, 'photos'),
        deriveKey(fileKeyStore(keyDirFor(options.dataDir, { ...process.env, ...options.env })).key('data'), 'photos'),
      ),
      token,
      customerToken,
      staticDir: options.staticDir ?? join(root, 'out', 'renderer'),
      port: () => pagePort,
      log,
    }),
  );
  guardServer(page, log, 'browser host');
  const sockets = new Set<Duplex>();
  page.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // The station process checks the token itself; here only what is not a bridge request at all.
    let path: string;
    try {
      path = requestUrl(req, [pagePort]).path;
    } catch (err) {
      log.warn({ why: err instanceof BadRequest ? err.message : String(err) }, 'browser host: malformed upgrade refused');
      return refuseSocket(socket, 400, 'Bad Request');
    }
    if (path !== '/bridge' && path !== `${CUSTOMER_PATH}/bridge`) return refuseSocket(socket, 404, 'Not Found');
    if (bridgePort === 0) return refuseSocket(socket, 503, 'Service Unavailable');
    if (sockets.size >= MAX_BRIDGE_SOCKETS * 2) {
      log.warn({ open: sockets.size / 2 }, 'browser host: bridge connection refused: too many open');
      return refuseSocket(socket, 503, 'Service Unavailable');
    }
    const upstream: Socket = connect(bridgePort, '127.0.0.1', () => {
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
  const wanted = options.port ?? keys.port ?? 0;
  try {
    await listen(page, wanted);
  } catch (err) {
    // The remembered port is taken (another program got it meanwhile): any free one. An asked-for port is not replaced.
    if (options.port !== undefined || wanted === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    log.warn({ port: wanted }, 'browser host: the port of last time is taken; open tabs must be opened again at the new address');
    await listen(page, 0);
  }
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
      STATION_CUSTOMER_TOKEN: customerToken,
      STATION_DATA_DIR: options.dataDir,
      STATION_PORT: '0',
      STATION_PAGE_ORIGIN: origin,
      STATION_PARENT_PID: String(process.pid),
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
  // Remembered only once this host owns the data folder (a second station on it has just been refused).
  if (keys.port !== pagePort) saveHostKeys(options.dataDir, { ...keys, port: pagePort });
  child.once('exit', () => void closePage());
  const names = cookieNames(pagePort);
  return {
    url: `${origin}/?token=${token}`,
    customerUrl: `${origin}${CUSTOMER_PATH}?token=${customerToken}`,
    origin,
    token,
    customerToken,
    cookie: `${names.operator}=${token}`,
    customerCookie: `${names.customer}=${customerToken}`,
    child,
    startupMs: ready.startupMs,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
        child.kill('SIGTERM');
        // The station ends itself within 3 s of SIGTERM; one that does not is killed, and a process
        // that does not go even then (stuck in the kernel) does not hold the host past 5 s.
        const timer = setTimeout(() => child.kill('SIGKILL'), 3500);
        await Promise.race([exited, new Promise<void>((ok) => setTimeout(ok, 4500).unref())]);
        clearTimeout(timer);
      }
      await closePage();
    },
  };
}
