import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Logger } from '../common/logger.ts';
import { STATIC_MIME as MIME } from '../common/mime.ts';
import { BadRequest, cookieNames, cookieValue, requestUrl, sameToken } from './http-guard.ts';
import { photoMime, type PhotoStore } from './photos.ts';

export { sameToken } from './http-guard.ts';

export interface PageHandlerOptions {
  photos: PhotoStore;
  /** The operator's token: the station's screens, the photos and the full bridge. */
  token: string;
  /** The customer display's token: its page and its narrow channel only (none: no customer display). */
  customerToken?: string | null;
  /** The built renderer (index.html, assets/); null serves only photos. */
  staticDir: string | null;
  /** The port this handler is served on (known once listening). */
  port: () => number;
  log: Logger;
}

/** Where the customer display lives in the browser host: its page, its login and its bridge. */
export const CUSTOMER_PATH = '/customer';

/**
 * The page side of the browser host: the built renderer and the photos behind the token. The page is
 * opened once with `?token=…` (the customer display: `/customer?token=…` with its own token); the host
 * sets an HttpOnly, SameSite=Strict cookie named for this port and redirects to the clean address, so
 * the token leaves the address bar and the history. From then on photos and the socket are
 * authenticated by the cookie only. `/session` (`/customer/session`) tells the page whether it holds a
 * valid cookie, so an address without one shows what to do instead of an empty screen.
 * The app's own files are public: they are the same for every school and carry no data.
 */
export function createPageHandler(options: PageHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { photos, token, log } = options;
  const customerToken = options.customerToken ?? null;
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null;
  const csp = (): string =>
    `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ` +
    `connect-src 'self' ws://127.0.0.1:${options.port()} ws://localhost:${options.port()}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;

  const plain = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(text);
  };

  const serveFile = (res: ServerResponse, path: string, type: string, cache: string): void => {
    res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff', 'content-security-policy': csp() });
    createReadStream(path)
      .on('error', (err) => {
        log.warn({ err }, 'browser host: file read failed');
        res.destroy();
      })
      .pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    const { url, path } = requestUrl(req, [options.port()]);
    const names = cookieNames(options.port());
    const customerArea = path === CUSTOMER_PATH || path.startsWith(`${CUSTOMER_PATH}/`);
    const given = url.searchParams.get('token');
    if (given !== null) {
      // The login: the token once in the address, then a cookie and the clean address. A wrong (or an
      // old) token gets the clean address without a cookie, and the page there says what to do.
      const [expected, cookie, cookiePath] = customerArea ? [customerToken, names.customer, CUSTOMER_PATH] : [token, names.operator, '/'];
      url.searchParams.delete('token');
      const headers: Record<string, string> = { location: url.pathname + url.search, 'cache-control': 'no-store' };
      if (sameToken(given, expected)) headers['set-cookie'] = `${cookie}=${expected}; HttpOnly; SameSite=Strict; Path=${cookiePath}`;
      else log.warn({ customer: customerArea }, 'browser host: wrong token in the address');
      res.writeHead(303, headers).end();
      return;
    }
    const operatorOk = sameToken(cookieValue(req, names.operator), token);
    if (path === '/session') return plain(res, operatorOk ? 204 : 401, operatorOk ? '' : 'no valid token');
    if (path === `${CUSTOMER_PATH}/session`) {
      const ok = sameToken(cookieValue(req, names.customer), customerToken);
      return plain(res, ok ? 204 : 401, ok ? '' : 'no valid token');
    }
    if (path.startsWith('/photos/')) {
      if (!operatorOk) return plain(res, 401, 'no valid token');
      const bytes = photos.read(path.slice('/photos/'.length));
      if (!bytes) return plain(res, 404, 'not found');
      res.writeHead(200, {
        'content-type': photoMime(bytes) ?? 'application/octet-stream',
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
      });
      res.end(bytes);
      return;
    }
    if (!staticRoot) return plain(res, 404, 'not found');
    const rel = normalize(path).replace(/^([/\\])+/, '');
    let file = resolve(join(staticRoot, rel));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return plain(res, 404, 'not found');
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // Client-side routes (/, /customer) get the app's page; a missing asset is a 404.
      if (extname(rel) !== '' && extname(rel) !== '.html') return plain(res, 404, 'not found');
      file = join(staticRoot, existsSync(join(staticRoot, `${rel}.html`)) ? `${rel}.html` : 'index.html');
      if (!existsSync(file)) return plain(res, 404, 'not found');
    }
    const ext = extname(file);
    serveFile(res, file, MIME[ext] ?? 'application/octet-stream', ext === '.html' ? 'no-store' : 'public, max-age=3600');
  };

  // Nothing a request carries may end the process: malformed is 400, anything else a logged 500.
  return (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (err instanceof BadRequest) log.warn({ why: err.message }, 'browser host: malformed request refused');
      else log.error({ err }, 'browser host: request failed');
      if (!res.headersSent)
        plain(res, err instanceof BadRequest ? 400 : 500, err instanceof BadRequest ? 'bad request' : 'internal error', { connection: 'close' });
      else res.destroy();
    }
  };
}
