/**
 * Where a station keeps its backend credentials. The browser host uses a file with mode 600 in the
 * data folder; the Electron shell passes safeStorage's encrypt/decrypt to `encryptedFileTokenVault`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { StationCredentials } from '../common/credentials.ts';

export { StationCredentials };

export interface TokenVault {
  load(): Promise<StationCredentials | null>;
  save(credentials: StationCredentials): Promise<void>;
  clear(): Promise<void>;
}

function writePrivate(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Credentials as bytes transformed by `encrypt`/`decrypt` (identity for the plain file). */
export function encryptedFileTokenVault(path: string, codec: { encrypt(plain: string): Buffer; decrypt(bytes: Buffer): string }): TokenVault {
  return {
    async load() {
      if (!existsSync(path)) return null;
      try {
        const parsed = StationCredentials.safeParse(JSON.parse(codec.decrypt(readFileSync(path))));
        return parsed.success ? parsed.data : null;
      } catch {
        // Unreadable (another machine's key, a torn file): the station asks to enroll again.
        return null;
      }
    },
    async save(credentials) {
      writePrivate(path, codec.encrypt(JSON.stringify(StationCredentials.parse(credentials))));
    },
    async clear() {
      rmSync(path, { force: true });
    },
  };
}

/** A JSON file readable only by the station's user (mode 600). */
export function fileTokenVault(path: string): TokenVault {
  return encryptedFileTokenVault(path, { encrypt: (s) => Buffer.from(s, 'utf8'), decrypt: (b) => b.toString('utf8') });
}

/** Credentials held in memory only (tests, benchmarks). */
export function memoryTokenVault(initial: StationCredentials | null = null): TokenVault {
  let value = initial;
  return {
    load: async () => value,
    save: async (c) => {
      value = c;
    },
    clear: async () => {
      value = null;
    },
  };
}
