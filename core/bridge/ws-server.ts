import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage } from '../../common/contract/index.ts';
import type { Logger } from '../../common/logger.ts';
import { cookieToken, createPageHandler, sameToken } from '../../node/page-server.ts';
import type { PhotoStore } from '../../node/photos.ts';
import { newCaller, type Router } from './router.ts';

export interface WsBridgeOptions {
  router: Router;
  photos: PhotoStore;
  token: string;
  /** The built renderer (index.html, assets/); null serves only the bridge and photos. */
  staticDir: string | null;
  port?: number;
  /** The origin of the page when another process serves it (the browser host's page server). */
  pageOrigin?: string;
  log: Logger;
}

export interface WsBridge {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWsBridge(options: WsBridgeOptions): Promise<WsBridge> {
  const { router, photos, token, log } = options;
  let port = 0;

  const handle = createPageHandler({ photos, token, staticDir: options.staticDir, port: () => port, log });

  const server: Server = createServer(handle);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    const tokenOk = sameToken(cookieToken(req), token) || sameToken(url.searchParams.get('token'), token);
    const originOk =
      origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}` || (options.pageOrigin !== undefined && origin === options.pageOrigin);
    if (url.pathname !== '/bridge' || !tokenOk || !originOk) {
      log.warn({ path: url.pathname, tokenOk, origin }, 'browser host: bridge connection refused');
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket): void => {
    const send = (msg: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const caller = newCaller('ws');
    const unsubscribe = router.subscribe(send);
    ws.on('message', (data) => {
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        raw = null;
      }
      void router.dispatch(raw, caller).then(send);
    });
    ws.on('close', () => {
      unsubscribe();
      router.disconnected(caller);
    });
    ws.on('error', (err) => log.warn({ err }, 'browser host: socket error'));
  };

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
