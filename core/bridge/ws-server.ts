/**
 * The browser host's bridge: the contract's messages over a WebSocket on 127.0.0.1 behind the token
 * cookie (and, when asked, the page and photos too, through `createPageHandler`). `/bridge` is the
 * operator's (the full contract); `/customer/bridge`, behind the customer display's own token, carries
 * only the customer projection (core/bridge/customer-channel.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../common/logger.ts';
import { BadRequest, cookieNames, cookieValue, guardServer, refuseSocket, requestUrl, sameToken } from '../../node/http-guard.ts';
import { CUSTOMER_PATH, createPageHandler } from '../../node/page-server.ts';
import type { PhotoStore } from '../../node/photos.ts';
import { serveCustomerChannel } from './customer-channel.ts';
import type { Router } from '../../common/contract/router.ts';

export interface WsBridgeLimits {
  /** Open sockets at once, both roles together (a tab holds one; the rest is a leak or a flood). */
  maxConnections: number;
  /** Largest message the operator's page may send, in bytes (the customer display's is 4 KB). */
  maxPayload: number;
  /** Messages per second one socket may keep up (bursts up to twice that); beyond, it is closed. */
  messagesPerSecond: number;
}

export const DEFAULT_WS_LIMITS: WsBridgeLimits = { maxConnections: 32, maxPayload: 1024 * 1024, messagesPerSecond: 500 };

export interface WsBridgeOptions {
  router: Router;
  photos: PhotoStore;
  token: string;
  /** The customer display's token (none: `/customer/bridge` refuses everyone). */
  customerToken?: string | null;
  /** The built renderer (index.html, assets/); null serves only the bridge and photos. */
  staticDir: string | null;
  port?: number;
  /** The origin of the page when another process serves it (the browser host's page server). */
  pageOrigin?: string;
  limits?: Partial<WsBridgeLimits>;
  log: Logger;
}

export interface WsBridge {
  url: string;
  port: number;
  close(): Promise<void>;
}

type Role = 'operator' | 'customer';

export async function startWsBridge(options: WsBridgeOptions): Promise<WsBridge> {
  const { router, photos, token, log } = options;
  const customerToken = options.customerToken ?? null;
  const limits = { ...DEFAULT_WS_LIMITS, ...options.limits };
  const pagePort = options.pageOrigin ? Number(new URL(options.pageOrigin).port) : null;
  let port = 0;
  // The cookies are named for the port the page was opened on: the host's when it serves the page.
  const cookiePort = () => pagePort ?? port;
  const hostPorts = () => (pagePort ? [port, pagePort] : [port]);

  const handle = createPageHandler({ photos, token, customerToken, staticDir: options.staticDir, port: () => port, log });

  const server: Server = createServer(handle);
  guardServer(server, log, 'bridge');
  const sockets = {
    operator: new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload }),
    customer: new WebSocketServer({ noServer: true, maxPayload: 4096 }),
  };
  let open = 0;

  const authorise = (req: IncomingMessage): { role: Role } | { status: number; text: string } => {
    const { path } = requestUrl(req, hostPorts());
    const origin = req.headers.origin;
    if (origin !== undefined && !hostPorts().some((p) => origin === `http://127.0.0.1:${p}` || origin === `http://localhost:${p}`)) {
      return { status: 401, text: 'Unauthorized' };
    }
    const names = cookieNames(cookiePort());
    if (path === '/bridge') return sameToken(cookieValue(req, names.operator), token) ? { role: 'operator' } : { status: 401, text: 'Unauthorized' };
    if (path === `${CUSTOMER_PATH}/bridge`) {
      return sameToken(cookieValue(req, names.customer), customerToken) ? { role: 'customer' } : { status: 401, text: 'Unauthorized' };
    }
    return { status: 404, text: 'Not Found' };
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const verdict = authorise(req);
      if ('status' in verdict) {
        log.warn({ status: verdict.status, origin: req.headers.origin }, 'bridge: connection refused');
        return refuseSocket(socket, verdict.status, verdict.text);
      }
      if (open >= limits.maxConnections) {
        log.warn({ open }, 'bridge: connection refused: too many open');
        return refuseSocket(socket, 503, 'Service Unavailable');
      }
      const wss = sockets[verdict.role];
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, verdict.role));
    } catch (err) {
      if (err instanceof BadRequest) log.warn({ why: err.message }, 'bridge: malformed upgrade refused');
      else log.error({ err }, 'bridge: upgrade failed');
      refuseSocket(socket, err instanceof BadRequest ? 400 : 500, err instanceof BadRequest ? 'Bad Request' : 'Internal Server Error');
    }
  });

  const attach = (ws: WebSocket, role: Role): void => {
    open++;
    const send = (msg: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    // A token bucket per socket: a page sends a few messages a second; a flood is closed, not queued.
    let allowance = limits.messagesPerSecond * 2;
    let lastAt = performance.now();
    const withinRate = (): boolean => {
      const now = performance.now();
      allowance = Math.min(limits.messagesPerSecond * 2, allowance + ((now - lastAt) / 1000) * limits.messagesPerSecond);
      lastAt = now;
      if (allowance < 1) return false;
      allowance -= 1;
      return true;
    };
    const parse = (data: RawData): unknown => {
      try {
        return JSON.parse(data.toString());
      } catch {
        return null;
      }
    };
    const channel = role === 'customer' ? serveCustomerChannel(router, send, log) : router.connect('ws', send);
    ws.on('message', (data) => {
      if (!withinRate()) {
        log.warn({ role }, 'bridge: socket closed: too many messages');
        ws.close(1008, 'too many messages');
        return;
      }
      channel.receive(parse(data));
    });
    ws.on('close', () => {
      open--;
      channel.close();
    });
    ws.on('error', (err) => log.warn({ err, role }, 'bridge: socket error'));
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
      for (const wss of Object.values(sockets)) {
        for (const c of wss.clients) c.terminate();
        wss.close();
      }
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await closed;
    },
  };
}
