import type { Staff } from '../common/domain.ts';
import { verifyPinAsync } from './pin.ts';
import type { Roster, StaffRow } from './store/roster.ts';

export type StaffRole = Staff['roles'][number];

/** A staff row as the PIN check reads it (roles as the stored JSON text). */
export type StaffPinRow = StaffRow;

/**
 * Who the PIN belongs to, or why nobody: a wrong PIN, the wrong role (when the person was named), PIN
 * entry locked after too many wrong PINs, or a PIN typed before the wait after the last wrong one was over.
 */
export type StaffPinCheck =
  { ok: true; staff: StaffPinRow } | { ok: false; reason: 'pin_wrong' | 'role_missing' | 'pin_locked' | 'pin_wait'; retryAfterMs?: number };

/**
 * Wrong PINs in a row (per person) before that person's PIN entry closes, and for how long (a 4-digit
 * PIN is 10,000 tries). The first `freeTries` wrong PINs cost nothing; after each further one the next
 * try must wait `firstDelayMs`, doubling, at most `maxDelayMs`: 0, 0, 0, 1 s, 2 s … then the lock.
 */
export const PIN_LOCKOUT = { wrongInARow: 5, lockMs: 60_000, freeTries: 3, firstDelayMs: 1_000, maxDelayMs: 30_000 };

/** The wait before the next try after `wrong` wrong PINs in a row. */
export function pinDelayMs(wrong: number): number {
  if (wrong < PIN_LOCKOUT.freeTries) return 0;
  return Math.min(PIN_LOCKOUT.firstDelayMs * 2 ** (wrong - PIN_LOCKOUT.freeTries), PIN_LOCKOUT.maxDelayMs);
}

export function parseRoles(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

interface Attempts {
  wrong: number;
  notBefore: number;
  lockedUntil: number;
}

export type PinRefusal = { ok: false; reason: 'pin_wrong' | 'role_missing' | 'pin_locked' | 'pin_wait'; retryAfterMs?: number };

/**
 * The station's count of wrong PINs, and the one queue every PIN check runs in. Checks run one at a
 * time, in order of arrival, so the count holds: 30 PINs sent at once are counted one after the other,
 * and once the count says "wait" or "locked" the rest are refused without running scrypt at all. Wrong
 * PINs are counted per key (a staff member named, the setup PIN, or the screen when nobody was named).
 * A try that comes before its wait is over is refused and counts as a wrong one. Every wrong PIN and
 * every lock is logged for IT (the key, never the PIN). One instance serves the whole station, so the
 * till, the guard post and setup do not each give a guesser five more tries.
 */
export class PinAttempts {
  readonly #log: { warn(obj: object, msg: string): void };
  readonly #now: () => number;
  readonly #attempts = new Map<string, Attempts>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(log: { warn(obj: object, msg: string): void }, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /** Whether `key` may not try a PIN now: locked, or still waiting after a wrong one. */
  blocked(key: string): { reason: 'pin_locked' | 'pin_wait'; retryAfterMs: number } | null {
    const a = this.#attempts.get(key);
    const now = this.#now();
    if (!a) return null;
    if (now < a.lockedUntil) return { reason: 'pin_locked', retryAfterMs: a.lockedUntil - now };
    if (now < a.notBefore) return { reason: 'pin_wait', retryAfterMs: a.notBefore - now };
    return null;
  }

  /** Runs `verify` (the slow hash) after every check before it, unless `key` is locked or waiting. */
  attempt<T>(
    key: string,
    meta: object,
    verify: () => Promise<{ ok: true; value: T } | { ok: false; reason: 'pin_wrong' | 'role_missing' }>,
  ): Promise<{ ok: true; value: T } | PinRefusal> {
    const run = this.#queue.then(async (): Promise<{ ok: true; value: T } | PinRefusal> => {
      const block = this.blocked(key);
      if (block?.reason === 'pin_locked') return { ok: false, ...block };
      if (block) return this.#wrong(key, meta, 'pin_wait');
      const r = await verify();
      if (r.ok) {
        this.#attempts.delete(key);
        return r;
      }
      return r.reason === 'role_missing' ? { ok: false, reason: 'role_missing' } : this.#wrong(key, meta, 'pin_wrong');
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #wrong(key: string, meta: object, reason: 'pin_wrong' | 'pin_wait'): PinRefusal {
    const now = this.#now();
    const a = this.#attempts.get(key) ?? { wrong: 0, notBefore: 0, lockedUntil: 0 };
    a.wrong++;
    this.#attempts.set(key, a);
    this.#log.warn({ ...meta, wrongInARow: a.wrong, early: reason === 'pin_wait' }, 'wrong PIN');
    if (a.wrong >= PIN_LOCKOUT.wrongInARow) {
      a.wrong = 0;
      a.notBefore = 0;
      a.lockedUntil = now + PIN_LOCKOUT.lockMs;
      this.#log.warn({ ...meta, until: new Date(a.lockedUntil).toISOString() }, `PIN entry locked after ${PIN_LOCKOUT.wrongInARow} wrong PINs in a row`);
      return { ok: false, reason: 'pin_locked', retryAfterMs: PIN_LOCKOUT.lockMs };
    }
    a.notBefore = now + pinDelayMs(a.wrong);
    const wait = a.notBefore - now;
    return { ok: false, reason, ...(wait > 0 ? { retryAfterMs: wait } : {}) };
  }
}

/**
 * The one staff PIN check of the station (the till's shift, void and override; the guard post's duty; IT's
 * setup session): the PIN must match an active staff member who has one of `roles`; only `staffId` is
 * tried when given. PINs come from the roster as salted scrypt hashes, sealed at rest (core/pin-seal.ts),
 * and are checked on libuv's thread pool (taps go on meanwhile), one at a time (PinAttempts).
 */
export class StaffPins {
  readonly #roster: Pick<Roster, 'staffRow' | 'activeStaff' | 'pinHashOf'>;
  readonly #attempts: PinAttempts;

  constructor(
    roster: Pick<Roster, 'staffRow' | 'activeStaff' | 'pinHashOf'>,
    log: { warn(obj: object, msg: string): void },
    now: () => number = Date.now,
    attempts: PinAttempts = new PinAttempts(log, now),
  ) {
    this.#roster = roster;
    this.#attempts = attempts;
  }

  /** Checks one PIN after every check before it has finished. */
  async check(pin: string, roles: readonly StaffRole[], staffId?: string): Promise<StaffPinCheck> {
    const r = await this.#attempts.attempt(staffKey(staffId), { staffId: staffId ?? null, roles }, async () => {
      const candidates = staffId ? [this.#roster.staffRow(staffId)].filter((s): s is StaffPinRow => !!s && s.status === 'active') : this.#roster.activeStaff();
      const withRole = candidates.filter((s) => parseRoles(s.roles).some((r) => (roles as readonly string[]).includes(r)));
      if (staffId !== undefined && candidates.length > 0 && withRole.length === 0) return { ok: false as const, reason: 'role_missing' as const };
      for (const s of withRole) if (await verifyPinAsync(pin, this.#roster.pinHashOf(s))) return { ok: true as const, value: s };
      return { ok: false as const, reason: 'pin_wrong' as const };
    });
    return r.ok ? { ok: true, staff: r.value } : r;
  }

  /** Whether `staffId` (or the screen, with none) may not try a PIN now. */
  blocked(staffId?: string): { reason: 'pin_locked' | 'pin_wait'; retryAfterMs: number } | null {
    return this.#attempts.blocked(staffKey(staffId));
  }
}

const staffKey = (staffId: string | undefined): string => (staffId === undefined ? 'screen' : `staff:${staffId}`);
