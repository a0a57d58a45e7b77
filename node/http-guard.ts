import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../common/logger.ts';

/**
 * What every HTTP server of the station (the browser host's page server, the station process's bridge)
 * does with a request before looking at it: anything malformed is answered 400 and the server goes on.
 * A browser on this computer is the only client, so anything a browser would not send is refused.
 */

/** Tokens are hex; anything else in our cookie is not a token. */
const TOKEN = /^[0-9a-f]{16,128}$/;

/** The cookie names carry the port: cookies are shared by every port of 127.0.0.1, so another local service never receives ours and two stations never overwrite each other's. */
export function cookieNames(port: number): { operator: string; customer: string } {
  return { operator: `station_${port}`, customer: `station_customer_${port}` };
}

export function sameToken(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BadRequest extends Error {
  override name = 'BadRequest';
}

/**
 * The value of cookie `name`, or null when absent. Other cookies are never decoded (another program on
 * 127.0.0.1 may set anything); ours must be a hex token, or the request is malformed.
 */
export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (!TOKEN.test(value)) throw new BadRequest(`cookie ${name} is not a token`);
    return value;
  }
  return null;
}

/**
 * The request's target as a URL on this server. Only the origin form (`/path?query`) is accepted; the
 * path must decode as UTF-8 and the Host must be this computer at `ports` (a page from another name
 * that resolves to 127.0.0.1 must not reach the station).
 */
export function requestUrl(req: IncomingMessage, ports: readonly number[]): { url: URL; path: string } {
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//') || target.length > 4096) throw new BadRequest('request target is not a path');
  const host = req.headers.host;
  if (!host || !ports.some((p) => host === `127.0.0.1:${p}` || host === `localhost:${p}`)) throw new BadRequest('host is not this station');
  let url: URL;
  let path: string;
  try {
    url = new URL(target, `http://${host}`);
    path = decodeURIComponent(url.pathname);
  } catch {
    throw new BadRequest('request target does not parse');
  }
  // `/\evil.example` parses as another host: never redirect a login there.
  if (url.host !== host) throw new BadRequest('request target names another host');
  if (path.includes('\0')) throw new BadRequest('NUL in path');
  return { url, path };
}

/** Answers on a raw socket (an upgrade that is refused, or a request the HTTP parser could not read). */
export function refuseSocket(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

/**
 * Server-wide limits and the answer to what Node's parser refuses (a bad method, a broken request line,
 * headers over the limit): 400, or 431 for headers too large; never a crash and never a hung socket.
 */
export function guardServer(server: Server, log: Logger, name: string): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    log.warn({ code: err.code }, `${name}: malformed request refused`);
    if (err.code === 'HPE_HEADER_OVERFLOW') refuseSocket(socket, 431, 'Request Header Fields Too Large');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') refuseSocket(socket, 408, 'Request Timeout');
    else refuseSocket(socket, 400, 'Bad Request');
  });
}
