import { z } from 'zod';
import { isRandomUid, printedForms, type CanonicalCard } from './card-id.ts';
import { cardExpired, Direction, type CardStatus, type Holder, type HolderKind } from './domain.ts';
import { GateConfig, type ReaderRole } from './readers.ts';

/**
 * The guard post's access verdict: pure rules, no I/O. The station resolves a tap against its
 * own store and hands the facts here; the answer carries reason CODES that the renderer translates.
 */

/** The direction word is the domain's (common/domain.ts); the rules name it here too for their callers. */
export { Direction };

export const GuardVerdict = z.enum(['allow', 'deny']);
export type GuardVerdict = z.infer<typeof GuardVerdict>;

/** Why a tap got its verdict. One code per case in the issue; the renderer has a string for each. */
export const GuardReason = z.enum([
  'ok',
  'temporary_card',
  'card_blocked',
  'card_lost',
  'card_expired',
  'unknown_card',
  'card_ambiguous',
  'spare_unbound',
  'random_uid',
  'person_inactive',
  'holder_missing',
  'passback',
  'reader_no_role',
  'rate_limited',
]);
export type GuardReason = z.infer<typeof GuardReason>;

/** Extra things the guard should notice on an allowed (or denied) tap. */
export const GuardNotice = z.enum(['temporary_card', 'passback', 'no_photo', 'gate_not_opened']);
export type GuardNotice = z.infer<typeof GuardNotice>;

export const AntiPassback = z.enum(['off', 'warn', 'deny']);
export type AntiPassback = z.infer<typeof AntiPassback>;

export interface GuardRuleSettings {
  antiPassback: AntiPassback;
  /** A second pass the same way counts as passback within this many minutes of the last one; 0: all school day. */
  antiPassbackMinutes?: number;
}

/** The guard post's settings (a section of the station settings). */
export const GuardSettings = z.object({
  antiPassback: AntiPassback.default('off'),
  /**
   * Anti-passback's window: a second entry (or exit) within this many minutes of the last pass the same
   * way is passback; later, it is not (a card lent back through the fence is quick, a forgotten exit tap
   * at lunch is not). 0: the whole school day.
   */
  antiPassbackMinutes: z.number().int().min(0).max(1440).default(0),
  /** The turnstile's USB relay (LCUS; docs/architecture.md, "Hardware on the wire") with its channels and pulse; null: no relay (a manned door, or a turnstile on its own controller): passes are recorded and nothing is said about a gate. */
  relay: GateConfig.nullable().default(null),
});
export type GuardSettings = z.infer<typeof GuardSettings>;

/** Everything the rules need about one tap, already looked up. */
export interface TapFacts {
  role: ReaderRole;
  card: CanonicalCard;
  /** The card row, or null when the store does not know the card. */
  found: {
    status: CardStatus;
    validUntil: string | null;
    holderKind: HolderKind;
    holderId: string;
  } | null;
  holder: Holder | null;
  /** The holder's person status (students/staff table); null when the person row is missing. */
  personStatus: 'active' | 'left' | 'suspended' | null;
  /** How many roster cards this read could be when more than one (a reader seeing only part of the number); 0: not ambiguous. */
  ambiguous?: number;
  /** The card is one of the school's spare cards, in stock (bound to no one right now). */
  spareInStock?: boolean;
  /** The holder's last recorded direction today, for anti-passback; null when none. */
  lastDirectionToday: Direction | null;
  /** When that last pass was (epoch ms), for anti-passback's window; absent: the window is not applied. */
  lastPassAtToday?: number | null;
  /** The station's current time, epoch ms. */
  now: number;
}

export interface GuardDecision {
  verdict: GuardVerdict;
  reason: GuardReason;
  /** Direction of the reader; null when the reader has no entry/exit role. */
  direction: Direction | null;
  /** Raise an alarm on the guard's screen (sound, red, counted in alarms today). */
  alarm: boolean;
  notices: GuardNotice[];
  /** The card's printed forms, shown for unknown cards so the guard can read the number to IT. */
  printed: Record<string, string> | null;
  /** A short English note for the IT log (never shown to the guard untranslated). */
  itNote: string | null;
}

export function readerDirection(role: ReaderRole): Direction | null {
  if (role === 'entry') return 'in';
  if (role === 'exit') return 'out';
  return null;
}

const deny = (reason: GuardReason, direction: Direction | null, alarm: boolean, extra: Partial<GuardDecision> = {}): GuardDecision => ({
  verdict: 'deny',
  reason,
  direction,
  alarm,
  notices: [],
  printed: null,
  itNote: null,
  ...extra,
});

/** The verdict for one tap at an entry or exit reader. */
export function decideTap(facts: TapFacts, settings: GuardRuleSettings): GuardDecision {
  const direction = readerDirection(facts.role);
  if (direction === null) {
    return deny('reader_no_role', null, false, {
      itNote: `reader has role "${facts.role}": give it the entry or exit role in setup to use it at the guard post`,
    });
  }
  if (isRandomUid(facts.card)) return deny('random_uid', direction, false);
  const found = facts.found;
  if (facts.ambiguous) {
    // The number is not written to the log (a child's card); IT needs only what to change.
    return deny('card_ambiguous', direction, true, {
      itNote: `a card read matches ${facts.ambiguous} roster cards: set this reader to the full card number (hex)`,
    });
  }
  if (!found && facts.spareInStock) {
    return deny('spare_unbound', direction, false, { printed: printedForms(facts.card.uid) });
  }
  if (!found) {
    return deny('unknown_card', direction, true, {
      printed: printedForms(facts.card.uid),
      itNote: `unknown card ${facts.card.technology}:${facts.card.uid}`,
    });
  }
  if (found.status === 'blocked') return deny('card_blocked', direction, true);
  if (found.status === 'lost') return deny('card_lost', direction, true);
  if (cardExpired(found.validUntil, facts.now)) return deny('card_expired', direction, false);
  if (!facts.holder || facts.personStatus === null) {
    return deny('holder_missing', direction, true, {
      itNote: `card ${facts.card.technology}:${facts.card.uid} points at ${found.holderKind} ${found.holderId}, who is not in the roster`,
    });
  }
  if (facts.personStatus !== 'active') return deny('person_inactive', direction, true);

  const notices: GuardNotice[] = [];
  let itNote: string | null = null;
  if (found.status === 'temporary') notices.push('temporary_card');
  if (facts.holder.photoHash === null) {
    notices.push('no_photo');
    itNote = `${found.holderKind} ${found.holderId} has no photo`;
  }
  const windowMs = (settings.antiPassbackMinutes ?? 0) * 60_000;
  const withinWindow = windowMs === 0 || facts.lastPassAtToday == null || facts.now - facts.lastPassAtToday < windowMs;
  const passback = settings.antiPassback !== 'off' && facts.lastDirectionToday === direction && withinWindow;
  if (passback) {
    notices.push('passback');
    if (settings.antiPassback === 'deny') return deny('passback', direction, true, { notices, itNote });
  }
  return {
    verdict: 'allow',
    reason: found.status === 'temporary' ? 'temporary_card' : 'ok',
    direction,
    alarm: false,
    notices,
    printed: null,
    itNote,
  };
}

export interface FloodSettings {
  /** At most this many taps … */
  maxTaps: number;
  /** … within this many milliseconds from one reader; more is a faulty reader. */
  windowMs: number;
  /** The reader counts as calm again after this long without a tap. */
  quietMs: number;
}

export const DEFAULT_FLOOD: FloodSettings = { maxTaps: 8, windowMs: 2_000, quietMs: 3_000 };

export type FloodAnswer =
  | { kind: 'pass' }
  /** The first tap over the limit: raise one alarm for this flood. */
  | { kind: 'flood_started' }
  /** Further taps while the flood lasts: dropped without a sound, only counted. */
  | { kind: 'dropped'; dropped: number };

/**
 * Tells a faulty reader's flood from children tapping: a turnstile lane passes at most one person per
 * 1.5–2.5 s, so more than `maxTaps` in `windowMs` from one reader is not people. Pure: time is passed in.
 */
export class TapFloodGuard {
  readonly #settings: FloodSettings;
  readonly #readers = new Map<string, { times: number[]; flooding: boolean; dropped: number; last: number }>();

  constructor(settings: FloodSettings = DEFAULT_FLOOD) {
    this.#settings = settings;
  }

  check(readerId: string, now: number): FloodAnswer {
    let r = this.#readers.get(readerId);
    if (!r) {
      r = { times: [], flooding: false, dropped: 0, last: 0 };
      this.#readers.set(readerId, r);
    }
    if (r.flooding && now - r.last >= this.#settings.quietMs) {
      r.flooding = false;
      r.dropped = 0;
      r.times = [];
    }
    r.last = now;
    if (r.flooding) {
      r.dropped++;
      return { kind: 'dropped', dropped: r.dropped };
    }
    r.times.push(now);
    while (r.times.length > 0 && now - (r.times[0] ?? now) >= this.#settings.windowMs) r.times.shift();
    if (r.times.length > this.#settings.maxTaps) {
      r.flooding = true;
      r.dropped = 1;
      return { kind: 'flood_started' };
    }
    return { kind: 'pass' };
  }

  isFlooding(readerId: string): boolean {
    return this.#readers.get(readerId)?.flooding ?? false;
  }
}

/** A pass as the inside-now rule reads it: an allowed move of a person, or a visitor let in. */
export interface InsideMove {
  kind: string;
  verdict: string;
  direction: Direction | null;
  at: string;
  holder: Pick<Holder, 'kind' | 'id' | 'fullName' | 'group'> | null;
  reason: string;
  note: string | null;
  visitorName?: string | null;
  /** The other post of the school the move was made at; absent or null: this post. */
  stationId?: string | null;
}

/** A visitor let in today, at this post (stationId null) or at another post of the school. */
export interface InsideVisitor {
  name: string;
  reason: string;
  at: string;
  stationId: string | null;
}

/**
 * Who is inside now: the people whose last allowed pass today is an entry, and the visitors let in
 * today, counted apart and included in the total. One rule for the counter, the roll call, its
 * printout and its export, so a child who taps in twice is one person and the guard reads one number.
 */
export class InsideNow {
  readonly #last = new Map<string, { person: InsidePerson; direction: Direction; since: string; at: string }>();
  readonly #visitors: InsideVisitor[] = [];
  #peopleIn = 0;

  constructor(moves: Iterable<InsideMove> = []) {
    for (const m of moves) this.apply(m);
  }

  /**
   * Takes one move. Moves come from every post of the school, and another post's may arrive late: the
   * last pass is the latest by time, so a move older than the one kept for that person changes nothing.
   */
  apply(m: InsideMove): void {
    if (m.verdict !== 'allow' || m.direction === null) return;
    if (m.kind === 'visitor') {
      const name = m.visitorName ?? (m.note ?? '').split(' — ')[0] ?? '';
      if (m.direction === 'in') this.#visitors.push({ name, reason: m.reason, at: m.at, stationId: m.stationId ?? null });
      return;
    }
    if (!m.holder) return;
    const key = `${m.holder.kind}:${m.holder.id}`;
    const before = this.#last.get(key);
    if (before && m.at < before.at) return;
    const person = { kind: m.holder.kind, id: m.holder.id, fullName: m.holder.fullName, group: m.holder.group };
    // "Since" is the first entry of the stay that is still going on.
    const since = m.direction === 'in' && before?.direction === 'in' ? before.since : m.at;
    this.#peopleIn += (m.direction === 'in' ? 1 : 0) - (before?.direction === 'in' ? 1 : 0);
    this.#last.set(key, { person, direction: m.direction, since, at: m.at });
  }

  /** The direction of a person's last allowed pass today at any post (anti-passback, whereabouts); null when none. */
  lastDirection(kind: HolderKind, id: string): Direction | null {
    return this.#last.get(`${kind}:${id}`)?.direction ?? null;
  }

  /** A person's last allowed pass today at any post: its direction and time (anti-passback and its window); null when none. */
  lastPass(kind: HolderKind, id: string): { direction: Direction; at: string } | null {
    const last = this.#last.get(`${kind}:${id}`);
    return last ? { direction: last.direction, at: last.at } : null;
  }

  people(): (InsidePerson & { since: string })[] {
    return [...this.#last.values()].filter((p) => p.direction === 'in').map((p) => ({ ...p.person, since: p.since }));
  }

  visitors(): InsideVisitor[] {
    return [...this.#visitors];
  }

  /** People inside plus visitors: the number the counter and the roll call both show. */
  count(): number {
    return this.#peopleIn + this.#visitors.length;
  }
}

/** Reasons the guard may pick when letting someone through by hand (plus free text). */
export const MANUAL_OPEN_REASONS = ['forgot_card', 'card_damaged', 'parent_with_child', 'delivery', 'staff_request', 'other'] as const;
export const ManualOpenReason = z.enum(MANUAL_OPEN_REASONS);
export type ManualOpenReason = z.infer<typeof ManualOpenReason>;

export const VISITOR_REASONS = ['parent', 'delivery', 'official', 'contractor', 'other'] as const;
export const VisitorReason = z.enum(VISITOR_REASONS);
export type VisitorReason = z.infer<typeof VisitorReason>;

/**
 * What a line of the pass feed gives as its reason (GuardPassView.reason): a tap's GuardReason, a manual
 * open's or a visitor's reason, or one of the post's own entries. The renderer has words for each.
 */
export const PassReason = z.enum([
  ...GuardReason.options,
  // 'other' is both a manual open's reason and a visitor's: listed once, from VISITOR_REASONS.
  ...MANUAL_OPEN_REASONS.filter((r) => r !== 'other'),
  ...VISITOR_REASONS,
  'relay_test',
  'spare_bound',
  'spare_returned',
  'spare_day_ended',
  'emergency_started',
  'emergency_ended',
]);
export type PassReason = z.infer<typeof PassReason>;

export interface InsidePerson {
  kind: HolderKind;
  id: string;
  fullName: string;
  group: string;
}

/** The roll call for emergency mode: students grouped by class (sorted), staff apart. */
export function groupInside(people: readonly InsidePerson[]): {
  classes: { className: string; people: InsidePerson[] }[];
  staff: InsidePerson[];
  total: number;
} {
  const byClass = new Map<string, InsidePerson[]>();
  const staff: InsidePerson[] = [];
  const collator = new Intl.Collator('ru', { numeric: true });
  for (const p of people) {
    if (p.kind === 'staff') staff.push(p);
    else byClass.set(p.group, [...(byClass.get(p.group) ?? []), p]);
  }
  const byName = (a: InsidePerson, b: InsidePerson) => collator.compare(a.fullName, b.fullName);
  return {
    classes: [...byClass.entries()].sort(([a], [b]) => collator.compare(a, b)).map(([className, ps]) => ({ className, people: ps.sort(byName) })),
    staff: staff.sort(byName),
    total: people.length,
  };
}
