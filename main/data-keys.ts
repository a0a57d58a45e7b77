/**
 * The station's named secret keys in the Electron shell: 32 random bytes each, kept encrypted with
 * safeStorage (DPAPI on Windows, Keychain on macOS, the desktop keyring on Linux) in
 * `<data folder>/keys/<name>.key.bin`, mode 600. A copy of the data folder therefore carries only keys
 * this user's OS login can open. The station process asks for them at start over its parent port
 * (station/remote-keys.ts, answered by main/shell-calls.ts `serveKeys`); main's own `app://` protocol opens the portraits with the same `data` key.
 * A Linux box without a keyring gets the browser host's key files beside the data folder
 * (node/key-file.ts), said in the log.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { fileKeyStore, KEY_BYTES, keyDirFor, type KeyStore } from '../node/key-file.ts';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function electronKeyStore(dataDir: string, warn: (msg: string) => void = console.warn): KeyStore {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    warn(`data keys: no OS key store (${backend}); the keys are kept in mode-600 files beside the data folder`);
    return fileKeyStore(keyDirFor(dataDir));
  }
  const dir = join(dataDir, 'keys');
  const cache = new Map<string, Buffer>();
  return {
    key(name) {
      if (!NAME.test(name)) throw new Error(`not a key name: ${name}`);
      const known = cache.get(name);
      if (known) return known;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const path = join(dir, `${name}.key.bin`);
      let key: Buffer;
      if (existsSync(path)) {
        key = Buffer.from(safeStorage.decryptString(readFileSync(path)), 'hex');
        if (key.length !== KEY_BYTES) throw new Error(`the key file ${path} is damaged`);
      } else {
        key = randomBytes(KEY_BYTES);
        const tmp = `${path}.tmp`;
        writeFileSync(tmp, safeStorage.encryptString(key.toString('hex')), { mode: 0o600 });
        renameSync(tmp, path);
      }
      if (process.platform !== 'win32') chmodSync(path, 0o600);
      cache.set(name, key);
      return key;
    },
  };
}
