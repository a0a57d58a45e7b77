import { chmodSync, mkdirSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * The station's own secret: 32 random bytes made once per data folder, never in the database. The
 * station derives its keys from it (e.g. the key its PIN hashes are sealed with, core/pin-seal.ts), so a
 * copy of the database file alone gives nothing away. In Electron the shell keeps it encrypted with
 * safeStorage (main/station-secret.ts) and hands it to the station process; under the browser host and
 * in plain Node it is this mode-600 file beside the database.
 */
export const STATION_KEY_FILE = 'station.key';
const SECRET_BYTES = 32;

export function stationKeyPath(dataDir: string): string {
  return join(dataDir, STATION_KEY_FILE);
}

/** Reads the key file, or makes it (mode 600, never overwriting one another process just made). */
export function fileStationSecret(path: string): Buffer {
  const existing = readSecret(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(SECRET_BYTES);
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${secret.toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
    return secret;
  } catch (err) {
    // Made meanwhile by someone else (another process on the same folder): that one is the secret.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const made = readSecret(path);
      if (made) return made;
    }
    throw err;
  }
}

function readSecret(path: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const secret = Buffer.from(text.trim(), 'base64');
  if (secret.length !== SECRET_BYTES) throw new Error(`the station key file ${STATION_KEY_FILE} is damaged (not ${SECRET_BYTES} bytes)`);
  // Whatever made the file wider (a copy, a restore), it is the station user's alone.
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return secret;
}
