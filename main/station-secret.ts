/**
 * The station secret in the Electron shell (node/station-secret.ts says what it is for): 32 random
 * bytes kept encrypted with safeStorage in a mode-600 file in the data folder, handed to the station
 * process when it asks (station/remote-station-secret.ts). Where the OS offers no key store (a Linux
 * box without a keyring) it is the plain mode-600 key file, said in the log, as for the token vault.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import { fileStationSecret } from '../node/station-secret.ts';

export function electronStationSecret(encryptedPath: string, plainPath: string, warn: (msg: string) => void = console.warn): Buffer {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    warn(`station secret: no OS key store (${backend}); kept in a mode-600 file`);
    return fileStationSecret(plainPath);
  }
  try {
    const secret = Buffer.from(safeStorage.decryptString(readFileSync(encryptedPath)), 'base64');
    if (secret.length === 32) return secret;
    throw new Error('the encrypted station secret is not 32 bytes');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  writeFileSync(`${encryptedPath}.tmp`, safeStorage.encryptString(secret.toString('base64')), { mode: 0o600 });
  renameSync(`${encryptedPath}.tmp`, encryptedPath);
  return secret;
}

interface StationChild {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

/** Answers the station process's request for its secret. */
export function serveStationSecret(child: StationChild, secret: () => Buffer, log: (msg: string) => void = console.error): void {
  child.on('message', (message) => {
    const m = message as { type?: string; id?: string } | null;
    if (m?.type !== 'station-secret' || typeof m.id !== 'string') return;
    try {
      child.postMessage({ type: 'station-secret-reply', id: m.id, ok: true, secret: secret().toString('base64') });
    } catch (err) {
      log(`station secret: ${err instanceof Error ? err.message : String(err)}`);
      child.postMessage({ type: 'station-secret-reply', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
