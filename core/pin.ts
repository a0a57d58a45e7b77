import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { formatPinHash, parsePinHash, PIN_KEY_BYTES, PIN_SALT_BYTES } from '../common/pin-hash.ts';

/** Staff PINs are kept only as salted scrypt hashes: `scrypt$<salt hex>$<hash hex>` (common/pin-hash.ts). */
export function hashPin(pin: string): string {
  const salt = randomBytes(PIN_SALT_BYTES);
  return formatPinHash(salt.toString('hex'), scryptSync(pin, salt, PIN_KEY_BYTES).toString('hex'));
}

/**
 * Checks a PIN with scrypt on libuv's thread pool: a station that serves card taps must not stop its
 * event loop for tens of milliseconds per PIN tried (there is no synchronous check).
 */
export function verifyPinAsync(pin: string, stored: string | null): Promise<boolean> {
  const parsed = parsePinHash(stored);
  if (!parsed) return Promise.resolve(false);
  const expected = Buffer.from(parsed.keyHex, 'hex');
  return new Promise((resolve, reject) => {
    scrypt(pin, Buffer.from(parsed.saltHex, 'hex'), expected.length, (err, actual) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(expected, actual));
    });
  });
}
