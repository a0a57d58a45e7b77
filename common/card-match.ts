/**
 * One card, one person, whatever reads it. Readers see different amounts of a card's number: the whole
 * uid, its last 4 bytes (the 10-digit decimal print), its last 3 (Wiegand-26 facility + number), or,
 * for some ISO 14443 readers, only the first 4 bytes of a 7-byte uid. Cards are stored as they were
 * given, with how much of the number that was. A read identifies the card whose uid agrees with it on
 * the bytes both know; exactly one such card is that card, more than one is refused as ambiguous.
 */
import type { CardFormat, CardTechnology } from './card-id.ts';

export const UID_PARTS = ['full', 'last4', 'last3', 'first4'] as const;
/** How much of a card's uid a stored number or a read holds. */
export type UidPart = (typeof UID_PARTS)[number];

export interface CardNumber {
  technology: CardTechnology;
  /** Canonical upper-case hex of the bytes known, in the card's own order. */
  uid: string;
  part: UidPart;
}

/** What a reader printing in this format can see of a uid. */
export function partOfFormat(format: CardFormat, partialIso = false): UidPart {
  switch (format) {
    case 'dec10':
    case 'dec10-reversed':
      return 'last4';
    case 'wiegand26':
      return 'last3';
    case 'hex':
    case 'hex-reversed':
      return partialIso ? 'first4' : 'full';
  }
}

const BYTES: Record<Exclude<UidPart, 'full'>, number> = { last4: 4, last3: 3, first4: 4 };

/**
 * Whether two numbers of the same technology can be the same card: compared on the bytes both know.
 * A full uid against a part: the part must be that end of it. Two ends from the same side: the shorter
 * must be the end of the longer. A first-bytes part against a last-bytes part shares nothing known, so
 * they never match (a reader of one kind cannot identify a card stored in the other).
 */
export function sameCard(a: CardNumber, b: CardNumber): boolean {
  if (a.technology !== b.technology) return false;
  if (a.part === 'full' && b.part === 'full') return a.uid === b.uid;
  if (a.part === 'full' || b.part === 'full') {
    const [whole, part] = a.part === 'full' ? [a, b] : [b, a];
    const n = BYTES[part.part as Exclude<UidPart, 'full'>] * 2;
    if (part.uid.length !== n || whole.uid.length < n) return false;
    return part.part === 'first4' ? whole.uid.startsWith(part.uid) : whole.uid.endsWith(part.uid);
  }
  const fromStart = (p: UidPart) => p === 'first4';
  if (fromStart(a.part) !== fromStart(b.part)) return false;
  if (fromStart(a.part)) return a.uid === b.uid;
  const [short, long] = a.uid.length <= b.uid.length ? [a, b] : [b, a];
  return long.uid.endsWith(short.uid);
}

/**
 * The uids under which a stored card that may match this read is kept, so a store can find candidates
 * by its index on (technology, uid) plus indexes on the uid's first and last bytes. `exact`: stored uids
 * equal to one of these; `tail4` / `tail3` / `head4`: stored uids whose last 4 / last 3 / first 4 bytes
 * are this value.
 */
export interface CandidateKeys {
  exact: string[];
  tail4: string | null;
  tail3: string | null;
  head4: string | null;
}

export function candidateKeys(read: CardNumber): CandidateKeys {
  const u = read.uid;
  const bytes = u.length / 2;
  const tail = (n: number) => (bytes >= n ? u.slice(-2 * n) : null);
  switch (read.part) {
    case 'full': {
      // A full read may match a stored full uid, or a stored part of it.
      const exact = [u];
      for (const k of [tail(4), tail(3), bytes >= 4 ? u.slice(0, 8) : null]) if (k && !exact.includes(k)) exact.push(k);
      return { exact, tail4: null, tail3: null, head4: null };
    }
    case 'last4':
      // Stored full uids ending in these 4 bytes, stored last-4 parts equal to it, stored last-3 parts
      // equal to its last 3 bytes.
      return { exact: [u, ...(tail(3) ? [u.slice(-6)] : [])], tail4: u, tail3: null, head4: null };
    case 'last3':
      return { exact: [u], tail4: null, tail3: u, head4: null };
    case 'first4':
      return { exact: [u], tail4: null, tail3: null, head4: u };
  }
}

export type CardMatch<T> = { kind: 'one'; card: T } | { kind: 'none' } | { kind: 'ambiguous'; count: number };

/** Of the stored cards found for a read, those that are the same card; one is a match, more are ambiguous. */
export function pickCard<T extends CardNumber>(read: CardNumber, stored: readonly T[]): CardMatch<T> {
  const seen = new Set<string>();
  const matches: T[] = [];
  for (const card of stored) {
    const key = `${card.technology}:${card.uid}:${card.part}`;
    if (seen.has(key) || !sameCard(read, card)) continue;
    seen.add(key);
    matches.push(card);
  }
  if (matches.length === 1 && matches[0]) return { kind: 'one', card: matches[0] };
  return matches.length === 0 ? { kind: 'none' } : { kind: 'ambiguous', count: matches.length };
}

/** The parts of a uid a reader may see short of the whole: what setup counts ambiguity for. */
export const PARTIAL_PARTS = ['last4', 'last3', 'first4'] as const;
export type PartialPart = (typeof PARTIAL_PARTS)[number];

/**
 * Which readers identify every card of a school uniquely (setup shows it under a reader's format): for
 * each part a reader may see (the 10-digit print's last 4 bytes, Wiegand-26's last 3, an ISO reader's
 * first 4), how many of the school's cards such a reader could not tell from another card.
 */
export function ambiguityByPart(cards: readonly CardNumber[]): Record<PartialPart, number> {
  const out = {} as Record<PartialPart, number>;
  for (const part of PARTIAL_PARTS) {
    const n = BYTES[part] * 2;
    const groups = new Map<string, number>();
    for (const c of cards) {
      const seen = part === 'first4' ? c.uid.slice(0, n) : c.uid.slice(-n);
      const key = `${c.technology}:${seen}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    let ambiguous = 0;
    for (const count of groups.values()) if (count > 1) ambiguous += count;
    out[part] = ambiguous;
  }
  return out;
}
