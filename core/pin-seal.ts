import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The station's PIN hashes at rest. The backend sends salted scrypt hashes (common/pin-hash.ts); a copy
 * of the database holding them in clear lets anyone try all 10^4–10^6 PINs offline in minutes. So the
 * station never stores them in clear: each is encrypted with AES-256-GCM under a key derived from the
 * station's own secret (kept outside the database: safeStorage in Electron, a mode-600 key file
 * otherwise). A copied database without that secret holds nothing a search can test a PIN against.
 *
 * Why encryption and not a keyed re-hash (HMAC(pepper, hash)): verification needs scrypt's salt and key
 * in the form the backend made them, so the station must get the hash back; only a reversible wrap
 * keeps the backend's format. The AAD binds each sealed hash to its row (a staff id, or the setup PIN),
 * so a sealed hash copied from a guard's row into an IT person's row does not open as theirs.
 */
const PREFIX = 'sealed1$';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PinSeal {
  /** The sealed text to store for `hash`, bound to `owner`. */
  seal(hash: string, owner: string): string;
  /** The hash back, or null when the text is not sealed, was sealed for another owner or under another key. */
  open(sealed: string | null | undefined, owner: string): string | null;
  /** Whether stored text is already sealed (anything else is a hash in clear from an older build). */
  isSealed(stored: string): boolean;
}

export function pinSeal(secret: Buffer): PinSeal {
  if (secret.length < 32) throw new Error('the station secret must be at least 32 bytes');
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'school-station pin hashes v1', 32));
  return {
    seal(hash, owner) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(owner, 'utf8'));
      const body = Buffer.concat([cipher.update(hash, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed, owner) {
      if (!sealed?.startsWith(PREFIX)) return null;
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(owner, 'utf8'));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
    isSealed: (stored) => stored.startsWith(PREFIX),
  };
}

/** The owner a staff member's sealed PIN hash is bound to. */
export const staffOwner = (staffId: string): string => `staff:${staffId}`;
