import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../common/logger.ts';
import { STATIC_MIME as MIME } from '../common/mime.ts';
import { photoMime, type PhotoStore } from './photos.ts';

const COOKIE = 'station_token';

export function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return null;
}

export interface PageHandlerOptions {
  photos: PhotoStore;
  token: string;
  /** The built renderer (index.html, assets/); null serves only photos. */
  staticDir: string | null;
  /** The port this handler is served on (known once listening). */
  port: () => number;
  log: Logger;
}

/**
 * The page side of the browser host: the built renderer and the photos behind the per-launch token.
 * The page is opened once with `?token=…`; the token then rides in an HttpOnly, SameSite=Strict
 * cookie so images and the socket carry it.
 */
export function createPageHandler(options: PageHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { photos, token, log } = options;
  const staticRoot = options.staticDir ? resolve(options.staticDir) : null;
  const csp = (): string =>
    `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ` +
    `connect-src 'self' ws://127.0.0.1:${options.port()}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;

  const send404 = (res: ServerResponse): void => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  };

  const serveFile = (res: ServerResponse, path: string, type: string, cache: string): void => {
    res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff', 'content-security-policy': csp() });
    createReadStream(path).pipe(res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${options.port()}`);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!sameToken(given, token)) {
        log.warn({ path: url.pathname }, 'browser host: wrong token');
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('wrong token');
        return;
      }
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: url.pathname + url.search + url.hash,
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    if (url.pathname.startsWith('/photos/')) {
      if (!sameToken(cookieToken(req), token)) {
        res.writeHead(401).end();
        return;
      }
      const bytes = photos.read(url.pathname.slice('/photos/'.length));
      if (!bytes) return send404(res);
      res.writeHead(200, {
        'content-type': photoMime(bytes) ?? 'application/octet-stream',
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        // An SVG portrait is shown as an image only; never let it run script if opened directly.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(bytes);
      return;
    }
    if (!staticRoot) return send404(res);
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = resolve(join(staticRoot, rel));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return send404(res);
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // Client-side routes (/, /customer) get the app's page; a missing asset is a 404.
      if (extname(rel) !== '' && extname(rel) !== '.html') return send404(res);
      file = join(staticRoot, existsSync(join(staticRoot, `${rel}.html`)) ? `${rel}.html` : 'index.html');
      if (!existsSync(file)) return send404(res);
    }
    const ext = extname(file);
    serveFile(res, file, MIME[ext] ?? 'application/octet-stream', ext === '.html' ? 'no-store' : 'public, max-age=3600');
  };

  return handle;
}

/**
 * The browser host's bridge: the contract's messages over a WebSocket on 127.0.0.1 behind the per-launch
 * token (and, when asked, the page and photos too, through `createPageHandler`).
 */
