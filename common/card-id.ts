/**
 * Card identifiers (docs/architecture.md, "Card identifiers"). The canonical form is the technology plus the uid bytes in the order
 * the card sends them, upper-case hex. Readers print the same card in other forms; each reader is
 * configured with its output format and converted here.
 */
export const CARD_TECHNOLOGIES = ['iso14443', 'em4100'] as const;
export type CardTechnology = (typeof CARD_TECHNOLOGIES)[number];

export interface CanonicalCard {
  technology: CardTechnology;
  /** Upper-case hex of the uid bytes in the order the card sends them. */
  uid: string;
}

export const CARD_FORMATS = ['hex', 'hex-reversed', 'dec10', 'dec10-reversed', 'wiegand26'] as const;
export type CardFormat = (typeof CARD_FORMATS)[number];

const HEX_RE = /^[0-9A-F]+$/;

export function isCanonicalUid(uid: string): boolean {
  return uid.length >= 2 && uid.length % 2 === 0 && uid.length <= 20 && HEX_RE.test(uid);
}

export function hexToBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

export function bytesToHex(bytes: readonly number[]): string {
  return bytes
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function reverseHex(hex: string): string {
  return bytesToHex(hexToBytes(hex).reverse());
}

export class CardFormatError extends Error {
  override name = 'CardFormatError';
}

/**
 * Converts what a reader printed into the canonical uid hex. The decimal and Wiegand forms carry only the
 * last bytes of the uid; the canonical uid is then those bytes (what such a reader can ever know).
 */
export function toCanonicalUid(printed: string, format: CardFormat): string {
  const text = printed.trim();
  switch (format) {
    case 'hex':
    case 'hex-reversed': {
      const hex = text.replace(/[\s:-]/g, '').toUpperCase();
      if (!isCanonicalUid(hex)) throw new CardFormatError(`not a hex uid: "${text}"`);
      return format === 'hex' ? hex : reverseHex(hex);
    }
    case 'dec10':
    case 'dec10-reversed': {
      if (!/^\d{1,10}$/.test(text)) throw new CardFormatError(`not a 10-digit decimal uid: "${text}"`);
      const n = Number(text);
      if (n > 0xffffffff) throw new CardFormatError(`decimal uid exceeds 4 bytes: "${text}"`);
      const hex = n.toString(16).toUpperCase().padStart(8, '0');
      return format === 'dec10' ? hex : reverseHex(hex);
    }
    case 'wiegand26': {
      const m = /^(\d{1,3})[,.\s/](\d{1,5})$/.exec(text);
      if (!m) throw new CardFormatError(`not a Wiegand-26 "FFF,NNNNN" uid: "${text}"`);
      const facility = Number(m[1]);
      const number = Number(m[2]);
      if (facility > 255 || number > 65535) throw new CardFormatError(`Wiegand-26 value out of range: "${text}"`);
      return bytesToHex([facility, number >> 8, number & 0xff]);
    }
  }
}

/** The printed forms of a canonical uid, as setup shows them beside the canonical one. */
export function printedForms(uid: string): Record<CardFormat, string> {
  const bytes = hexToBytes(uid);
  const last4 = bytes.slice(-4);
  while (last4.length < 4) last4.unshift(0);
  const dec = (b: number[]) => String(b.reduce((acc, x) => acc * 256 + x, 0)).padStart(10, '0');
  const last3 = bytes.slice(-3);
  while (last3.length < 3) last3.unshift(0);
  const [fc = 0, hi = 0, lo = 0] = last3;
  return {
    hex: uid,
    'hex-reversed': reverseHex(uid),
    dec10: dec(last4),
    'dec10-reversed': dec([...last4].reverse()),
    wiegand26: `${String(fc).padStart(3, '0')},${String(hi * 256 + lo).padStart(5, '0')}`,
  };
}

/**
 * A 4-byte ISO 14443 uid starting with 08 is a random id (phones, bank cards, passports change it on
 * every tap): it can never identify a person.
 */
export function isRandomUid(card: CanonicalCard): boolean {
  return card.technology === 'iso14443' && card.uid.length === 8 && card.uid.startsWith('08');
}

export function cardKey(card: CanonicalCard): string {
  return `${card.technology}:${card.uid}`;
}
