/**
 * Staff PINs on the reference server: only salted scrypt hashes are stored and sent to stations, in
 * the format of common/pin-hash.ts (the station verifies them with core/pin.ts). Async scrypt, so
 * hashing a staff list never blocks the stations being served.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { formatPinHash, parsePinHash, PIN_KEY_BYTES, PIN_SALT_BYTES } from '../common/pin-hash.ts';

const derive = (pin: string, salt: Buffer, length: number) =>
  new Promise<Buffer>((resolve, reject) => scrypt(pin, salt, length, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(PIN_SALT_BYTES);
  return formatPinHash(salt.toString('hex'), (await derive(pin, salt, PIN_KEY_BYTES)).toString('hex'));
}

export async function pinMatches(pin: string, stored: string | null | undefined): Promise<boolean> {
  const parsed = parsePinHash(stored);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.keyHex, 'hex');
  return timingSafeEqual(expected, await derive(pin, Buffer.from(parsed.saltHex, 'hex'), expected.length));
}

/** The hash to store for `pin`: the one already stored when it is that PIN (no new salt, so no roster delta). */
export async function pinHashFor(pin: string, stored: string | null | undefined): Promise<string> {
  return stored && (await pinMatches(pin, stored)) ? stored : hashPin(pin);
}
