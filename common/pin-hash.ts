/**
 * The one format of a staff PIN hash, shared by the station (core/pin.ts) and the reference server
 * (server/pins.ts): `scrypt$<salt hex>$<key hex>`, scrypt with node's defaults (N 16384, r 8, p 1).
 * Each side hashes with node:crypto in its own layer; this file only knows the text.
 */
import { z } from 'zod';

/** A PIN as typed on the station's PIN pad: 4 to 12 digits (a school may ask for 6 or more). */
export const PIN_MIN_DIGITS = 4;
export const PIN_MAX_DIGITS = 12;
export const PIN_PATTERN = /^\d{4,12}$/;
export const Pin = z.string().regex(PIN_PATTERN, 'a PIN is 4 to 12 digits');

export const PIN_SALT_BYTES = 16;
export const PIN_KEY_BYTES = 32;

const HASH_PATTERN = /^scrypt\$((?:[0-9a-f]{2})+)\$((?:[0-9a-f]{2})+)$/;

export function formatPinHash(saltHex: string, keyHex: string): string {
  return `scrypt$${saltHex}$${keyHex}`;
}

/** The salt and derived key of a stored hash, or null when the text is not one. */
export function parsePinHash(stored: string | null | undefined): { saltHex: string; keyHex: string } | null {
  const m = stored ? HASH_PATTERN.exec(stored) : null;
  return m ? { saltHex: m[1]!, keyHex: m[2]! } : null;
}

/** A PIN hash on the wire (never a plain PIN). */
export const PinHash = z
  .string()
  .max(600)
  .refine((s) => parsePinHash(s) !== null, 'not a scrypt$<salt>$<key> PIN hash');
