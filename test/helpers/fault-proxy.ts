/**
 * A fault-injecting HTTP proxy on loopback, in front of the real reference server. Faults are queued
 * per path and each fires on the next matching request:
 * - `status`: answer with that status (500, 401, 503 + Retry-After) without forwarding, or after
 *   forwarding (the server has then committed and the station never hears it);
 * - `stall`: hold the reply past the client's timeout (after forwarding: committed on the server);
 * - `cut`: forward, then send the headers and half the body and cut the connection;
 * - `garbage`: forward, then answer 200 with a body that is not JSON.
 * Requests without a fault pass through unchanged.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  { kind: 'status'; status: number; retryAfter?: string; forward?: boolean } | { kind: 'stall'; forward: boolean } | { kind: 'cut' } | { kind: 'garbage' };

interface Queued {
  fault: Fault;
  path: string;
  times: number;
  skip: number;
}

export interface FaultHit {
  fault: Fault;
  method: string;
  path: string;
  /** The upstream status when the request was forwarded. */
  upstreamStatus: number | null;
}

export interface FaultProxy {
  readonly url: string;
  /** Queue a fault for `times` requests whose path starts with `path`, after letting `skip` of them through. */
  inject(fault: Fault, options?: { path?: string; times?: number; skip?: number }): void;
  /** Faults fired so far. */
  readonly hits: FaultHit[];
  /** Requests seen, by path prefix. */
  count(pathPrefix: string): number;
  /** Resolves when the next fault of this kind fires (for `stall` with forward: once the server answered). */
  waitFor(kind: Fault['kind']): Promise<FaultHit>;
  /** Resolves when the next request with this path prefix has been forwarded upstream. */
  waitForForward(pathPrefix: string): Promise<void>;
  setTarget(url: string): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  let target = new URL(targetUrl);
  const queue: Queued[] = [];
  const hits: FaultHit[] = [];
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let hitWaiters: { kind: Fault['kind']; resolve: (h: FaultHit) => void }[] = [];
  let forwardWaiters: { prefix: string; resolve: () => void }[] = [];

  const take = (path: string): Fault | null => {
    const i = queue.findIndex((q) => path.startsWith(q.path));
    if (i < 0) return null;
    const q = queue[i]!;
    if (q.skip > 0) {
      q.skip--;
      return null;
    }
    if (--q.times <= 0) queue.splice(i, 1);
    return q.fault;
  };

  const hit = (h: FaultHit) => {
    hits.push(h);
    const ready = hitWaiters.filter((w) => w.kind === h.fault.kind);
    hitWaiters = hitWaiters.filter((w) => w.kind !== h.fault.kind);
    for (const w of ready) w.resolve(h);
  };

  function forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, connection: 'close' },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
      const path = req.url ?? '';
      const ready = forwardWaiters.filter((w) => path.startsWith(w.prefix));
      forwardWaiters = forwardWaiters.filter((w) => !path.startsWith(w.prefix));
      for (const w of ready) w.resolve();
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = req.url ?? '/';
        seen.push(path);
        const body = Buffer.concat(chunks);
        const fault = take(path);
        const method = req.method ?? 'GET';
        try {
          if (fault?.kind === 'status' && !fault.forward) {
            hit({ fault, method, path, upstreamStatus: null });
            res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
            res.end(JSON.stringify({ error: fault.status === 401 ? 'unauthorized' : 'server_error', message: `injected ${fault.status}` }));
            return;
          }
          if (fault?.kind === 'stall' && !fault.forward) {
            hit({ fault, method, path, upstreamStatus: null });
            return; // never answer; the client gives up
          }
          const up = await forward(req, body);
          if (!fault) {
            const headers = { ...up.headers };
            delete headers['transfer-encoding'];
            delete headers.connection;
            delete headers['keep-alive'];
            res.writeHead(up.status, { ...headers, 'content-length': String(up.body.length) });
            res.end(up.body);
            return;
          }
          const h = { fault, method, path, upstreamStatus: up.status };
          switch (fault.kind) {
            case 'status':
              res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
              res.end(JSON.stringify({ error: 'server_error', message: `injected ${fault.status} after the server answered` }));
              break;
            case 'stall':
              break; // committed upstream; hold the reply until the client gives up
            case 'cut':
              res.writeHead(up.status, { 'content-type': String(up.headers['content-type'] ?? 'application/json'), 'content-length': String(up.body.length) });
              res.write(up.body.subarray(0, Math.max(1, Math.floor(up.body.length / 2))));
              setTimeout(() => res.socket?.destroy(), 10);
              break;
            case 'garbage':
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end('{"results": [{"id": tru<html>502 Bad Gateway');
              break;
          }
          hit(h);
        } catch {
          // The server is down (restarting): the station sees a dropped connection.
          res.socket?.destroy();
        }
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    inject(fault, options = {}) {
      queue.push({ fault, path: options.path ?? '/', times: options.times ?? 1, skip: options.skip ?? 0 });
    },
    hits,
    count: (prefix) => seen.filter((p) => p.startsWith(prefix)).length,
    waitFor: (kind) => new Promise((resolve) => hitWaiters.push({ kind, resolve })),
    waitForForward: (prefix) => new Promise((resolve) => forwardWaiters.push({ prefix, resolve })),
    setTarget(url) {
      target = new URL(url);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
