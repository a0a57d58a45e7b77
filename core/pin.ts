import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { formatPinHash, parsePinHash, PIN_KEY_BYTES, PIN_SALT_BYTES } from '../common/pin-hash.ts';

/** Staff PINs are kept only as salted scrypt hashes: `scrypt$<salt hex>$<hash hex>` (common/pin-hash.ts). */
export function hashPin(pin: string): string {
  const salt = randomBytes(PIN_SALT_BYTES);
  return formatPinHash(salt.toString('hex'), scryptSync(pin, salt, PIN_KEY_BYTES).toString('hex'));
}

export function verifyPin(pin: string, stored: string | null): boolean {
  const parsed = parsePinHash(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.keyHex, 'hex');
  const actual = scryptSync(pin, Buffer.from(parsed.saltHex, 'hex'), expected.length);
  return timingSafeEqual(expected, actual);
}
