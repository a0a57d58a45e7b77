import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from './window-options.ts';
import { STATIC_MIME as MIME } from '../common/mime.ts';
import { photoMime } from '../node/photos.ts';


/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function inside(root: string, rel: string): string | null {
  const file = resolve(join(root, normalize(rel).replace(/^([/\\])+/, '')));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/** app://station/… serves the built renderer; app://station/photos/<hash> the station's portraits. */
export function serveAppProtocol(rendererDir: string, photosDir: string): void {
  const rendererRoot = resolve(rendererDir);
  const photosRoot = resolve(photosDir);
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'station') return new Response('not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const isPhoto = path.startsWith('/photos/');
    const file = isPhoto
      ? /^\/photos\/[0-9a-f]{64}$/.test(path)
        ? inside(photosRoot, path.slice('/photos/'.length))
        : null
      : inside(rendererRoot, path === '/' || path === '/customer' ? 'index.html' : path);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      const type = (isPhoto ? photoMime(body) : MIME[extname(file)]) ?? 'application/octet-stream';
      return new Response(body, {
        headers: { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
