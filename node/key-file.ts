/**
 * Named secret keys kept as files outside the data folder, for whoever has no OS key store to ask (the
 * browser host, the station process it starts, tools). Each key is 32 random bytes, hex in
 * `<dir>/<name>.key`, mode 0600 in a folder of mode 0700; the modes are re-checked (and tightened) on
 * every read. The folder is `STATION_KEY_DIR`, else `<data folder>.keys` beside the data folder, so a
 * copy of the data folder alone does not carry the keys that open it. In Electron, main keeps its keys
 * with safeStorage instead (main/data-keys.ts) and hands them to the station process.
 *
 * Any part of the station that needs a secret of its own asks for it by name here (`data` opens the
 * database and the portraits).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const KEY_BYTES = 32;

/** Where the named keys of the station with this data folder live. */
export function keyDirFor(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.STATION_KEY_DIR ? resolve(env.STATION_KEY_DIR) : `${resolve(dataDir)}.keys`;
}

export interface KeyStore {
  /** The key of that name, made (once) when there is none yet. */
  key(name: string): Buffer;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function fileKeyStore(dir: string): KeyStore {
  return {
    key(name) {
      if (!NAME.test(name)) throw new Error(`not a key name: ${name}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (process.platform !== 'win32') chmodSync(dir, 0o700);
      const path = join(dir, `${name}.key`);
      if (!existsSync(path)) {
        // 'wx': two processes starting at once never both write a key; the loser reads the winner's.
        try {
          const fd = openSync(path, 'wx', 0o600);
          try {
            writeSync(fd, randomBytes(KEY_BYTES).toString('hex'));
          } finally {
            closeSync(fd);
          }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
      if (key.length !== KEY_BYTES) throw new Error(`the key file ${path} is damaged (expected ${KEY_BYTES} bytes of hex)`);
      return key;
    },
  };
}

/** Keys given from outside (main's safeStorage, a test): a missing name is an error, never a new key. */
export function fixedKeyStore(keys: Record<string, Buffer>): KeyStore {
  return {
    key(name) {
      const k = keys[name];
      if (!k || k.length !== KEY_BYTES) throw new Error(`no ${name} key was given to the station process`);
      return k;
    },
  };
}

/** A key for one purpose from a named key (the database and the portraits each get their own). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `school-station ${purpose}`, KEY_BYTES));
}
