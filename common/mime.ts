/** Content types of the files the station serves from the built renderer (app:// and the browser host). */
export const STATIC_MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
};

export type PortraitMime = 'image/jpeg' | 'image/png' | 'image/webp';

/**
 * What a portrait may be, told by its first bytes (never by a name or a declared type): JPEG, PNG or
 * WebP. Anything else, SVG included (it can carry script), is not a portrait, at the server's import
 * and in the station's photo store alike.
 */
export function portraitMime(bytes: Uint8Array): PortraitMime | null {
  const at = (i: number, ...b: number[]) => b.every((x, k) => bytes[i + k] === x);
  if (bytes.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (bytes.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  // RIFF <size> WEBP
  if (bytes.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return null;
}
