import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from './window-options.ts';
import { STATIC_MIME as MIME } from '../common/mime.ts';
import { photoMime, PhotoStore } from '../node/photos.ts';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function inside(root: string, rel: string): string | null {
  const file = resolve(join(root, normalize(rel).replace(/^([/\\])+/, '')));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** app://station/… serves the built renderer; app://station/photos/<hash> the station's portraits. */
export function serveAppProtocol(rendererDir: string, photos: PhotoStore): void {
  const rendererRoot = resolve(rendererDir);
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'station') return new Response('not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (path.startsWith('/photos/')) {
      // Portrait files are sealed (node/photos.ts): the store opens them; the hash is all a page may name.
      const hash = path.slice('/photos/'.length);
      const body = PhotoStore.isHash(hash) ? photos.read(hash) : null;
      if (!body) return new Response('not found', { status: 404 });
      return new Response(new Uint8Array(body), {
        headers: {
          'content-type': photoMime(body) ?? 'application/octet-stream',
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    }
    const file = inside(rendererRoot, path === '/' || path === '/customer' ? 'index.html' : path);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      const type = MIME[extname(file)] ?? 'application/octet-stream';
      return new Response(body, {
        headers: { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
