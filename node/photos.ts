import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portraitMime } from '../common/mime.ts';

/** Photo file types the station stores and serves (JPEG, PNG, WebP), told apart by their first bytes. */
export const photoMime = portraitMime;

/** A portrait refused by the photo store: not JPEG, PNG or WebP. */
export class NotAPortrait extends Error {
  override name = 'NotAPortrait';
}

/** A sealed portrait file: this magic, a 12-byte nonce, the 16-byte GCM tag, then the ciphertext. */
const SEALED = Buffer.from('SSP1', 'latin1');
const HEAD = SEALED.length + 12 + 16;

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
  readonly #key: Buffer | null;

  /**
   * `key` (32 bytes): every file is AES-256-GCM sealed with it, so a copied photos/ folder holds no
   * readable portrait; a plain file left by an older station is still read (and `sealPlainFiles` seals
   * it). Without a key files are plain (tests and benchmarks that do not care).
   */
  constructor(dir: string, key: Buffer | null = null) {
    this.dir = dir;
    if (key && key.length !== 32) throw new Error('the photo key must be 32 bytes');
    this.#key = key;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Whether files are sealed (a key was given). */
  get sealed(): boolean {
    return this.#key !== null;
  }

  #seal(bytes: Uint8Array): Buffer {
    if (!this.#key) return Buffer.from(bytes);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    return Buffer.concat([SEALED, iv, cipher.getAuthTag(), body]);
  }

  /** The portrait's bytes from a file's content; null when it is sealed and cannot be opened here. */
  #open(raw: Buffer): Buffer | null {
    if (raw.length < HEAD || !raw.subarray(0, SEALED.length).equals(SEALED)) return raw;
    if (!this.#key) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(4, 16));
      decipher.setAuthTag(raw.subarray(16, HEAD));
      return Buffer.concat([decipher.update(raw.subarray(HEAD)), decipher.final()]);
    } catch {
      return null;
    }
  }

  /** Seals every plain portrait file in the folder (a station from before encryption); returns how many. */
  sealPlainFiles(): number {
    if (!this.#key) return 0;
    let n = 0;
    for (const name of readdirSync(this.dir)) {
      if (!PhotoStore.isHash(name)) continue;
      const path = this.pathOf(name);
      const raw = readFileSync(path);
      if (raw.subarray(0, SEALED.length).equals(SEALED)) continue;
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, this.#seal(raw), { mode: 0o600 });
      renameSync(tmp, path);
      n++;
    }
    return n;
  }

  static hashOf(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** Stores the bytes (atomically: temp file then rename) and returns their hash. */
  put(bytes: Uint8Array): string {
    if (!photoMime(bytes)) throw new NotAPortrait('not a portrait (JPEG, PNG or WebP expected)');
    const hash = PhotoStore.hashOf(bytes);
    const path = this.pathOf(hash);
    if (!existsSync(path)) {
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, this.#seal(bytes), { mode: 0o600 });
      if (process.platform !== 'win32') chmodSync(tmp, 0o600);
      renameSync(tmp, path);
    }
    return hash;
  }

  /** Deletes every portrait file (the school they belong to is no longer this station's); returns how many. */
  removeAll(): number {
    let n = 0;
    for (const name of readdirSync(this.dir)) {
      rmSync(join(this.dir, name), { force: true });
      n++;
    }
    return n;
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
    return this.#open(readFileSync(this.pathOf(hash)));
  }

  /**
   * The photo as a `data:` URL for the tap's event, or null when there is none, it is not an image, or
   * it is larger than `maxBytes` (the page then loads it by URL, as before).
   */
  dataUrl(hash: string, maxBytes = 256 * 1024): string | null {
    // On the tap's path: one read, no existence check first (a missing file is the same null).
    if (!PhotoStore.isHash(hash)) return null;
    let bytes: Buffer | null;
    try {
      bytes = this.#open(readFileSync(this.pathOf(hash)));
    } catch {
      return null;
    }
    if (!bytes || bytes.length > maxBytes) return null;
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
