import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.ts';

/**
 * The browser host's keys, kept per data folder in a 0600 file: the operator's token, the customer
 * display's token and the port last served on. Stable keys and port are what let an open tab outlive
 * a restart of the station: the same address, the same cookie, and the page reconnects by itself.
 */
export interface HostKeys {
  token: string;
  customerToken: string;
  /** The port the host listened on last time (tried first; another free port when taken). */
  port: number | null;
}

export const HOST_KEYS_FILE = 'browser-host.json';

const HEX = /^[0-9a-f]{48}$/;
const newToken = (): string => randomBytes(24).toString('hex');

export function loadHostKeys(dataDir: string, log: Logger): HostKeys {
  const path = join(dataDir, HOST_KEYS_FILE);
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<HostKeys>;
    if (typeof saved.token === 'string' && HEX.test(saved.token) && typeof saved.customerToken === 'string' && HEX.test(saved.customerToken)) {
      const port = Number.isInteger(saved.port) && saved.port! > 0 && saved.port! < 65536 ? saved.port! : null;
      return { token: saved.token, customerToken: saved.customerToken, port };
    }
    log.warn({ file: HOST_KEYS_FILE }, 'browser host: keys file unreadable; new tokens (open the new address once)');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn({ file: HOST_KEYS_FILE, err }, 'browser host: keys file unreadable; new tokens (open the new address once)');
  }
  const keys: HostKeys = { token: newToken(), customerToken: newToken(), port: null };
  saveHostKeys(dataDir, keys);
  return keys;
}

/** Written whole to a temporary 0600 file, then renamed over the old one: never half a file. */
export function saveHostKeys(dataDir: string, keys: HostKeys): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, HOST_KEYS_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
