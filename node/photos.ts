import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Photo file types the station serves, told apart by their first bytes. */
export function photoMime(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46) return 'image/webp';
  const head = Buffer.from(bytes.subarray(0, 256)).toString('utf8').trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  return null;
}

/**
 * Portraits as files named by the sha256 of their content, in the data folder's `photos/`.
 * The renderer loads them by hash (app://station/photos/<hash> in Electron, /photos/<hash> in the
 * browser host), and unchanged photos are never rewritten. The one exception is the portrait of the
 * card just tapped: it travels with the tap's event as a data URL (`dataUrl`), because loading it by URL
 * costs Chromium 15 ms or more through its network stack on a busy station, longer than everything else
 * between the card and the painted verdict (see docs/notes/issue-5.md).
 */
export class PhotoStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  static hashOf(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** Stores the bytes (atomically: temp file then rename) and returns their hash. */
  put(bytes: Uint8Array): string {
    if (!photoMime(bytes)) throw new Error('not an image (JPEG, PNG, WebP or SVG expected)');
    const hash = PhotoStore.hashOf(bytes);
    const path = this.pathOf(hash);
    if (!existsSync(path)) {
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return hash;
  }

  /** Deletes a portrait file (a person left, or their consent was withdrawn); nothing when it is not there. */
  remove(hash: string): void {
    if (!PhotoStore.isHash(hash)) return;
    rmSync(this.pathOf(hash), { force: true });
  }

  has(hash: string): boolean {
    return PhotoStore.isHash(hash) && existsSync(this.pathOf(hash));
  }

  read(hash: string): Buffer | null {
    if (!this.has(hash)) return null;
    return readFileSync(this.pathOf(hash));
  }

  /**
   * The photo as a `data:` URL for the tap's event, or null when there is none, it is not an image, or
   * it is larger than `maxBytes` (the page then loads it by URL, as before).
   */
  dataUrl(hash: string, maxBytes = 256 * 1024): string | null {
    // On the tap's path: one read, no existence check first (a missing file is the same null).
    if (!PhotoStore.isHash(hash)) return null;
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.pathOf(hash));
    } catch {
      return null;
    }
    if (bytes.length > maxBytes) return null;
    const mime = photoMime(bytes);
    return mime ? `data:${mime};base64,${bytes.toString('base64')}` : null;
  }

  pathOf(hash: string): string {
    if (!PhotoStore.isHash(hash)) throw new Error(`not a photo hash: ${hash}`);
    return join(this.dir, hash);
  }

  static isHash(hash: string): boolean {
    return /^[0-9a-f]{64}$/.test(hash);
  }
}
