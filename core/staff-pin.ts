import type { Staff } from '../common/domain.ts';
import { verifyPin, verifyPinAsync } from './pin.ts';
import type { Roster, StaffRow } from './store/roster.ts';

export type StaffRole = Staff['roles'][number];

/** A staff row as the PIN check reads it (roles as the stored JSON text). */
export type StaffPinRow = StaffRow;

/** Who the PIN belongs to, or why nobody: a wrong PIN, or (when the person was named) the wrong role. */
export type StaffPinCheck = { ok: true; staff: StaffPinRow } | { ok: false; reason: 'pin_wrong' | 'role_missing' | 'pin_locked' };

/** Wrong PINs in a row before the screen stops taking PINs, and for how long (a 4-digit PIN is 10,000 tries). */
export const PIN_LOCKOUT = { wrongInARow: 5, lockMs: 60_000 };

export function parseRoles(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The one staff PIN check of the station (the till's shift, void and override; the guard post's duty):
 * the PIN must match an active staff member who has one of `roles`; only `staffId` is tried when given.
 * PINs come from the roster as salted hashes (common/pin-hash.ts). After `PIN_LOCKOUT.wrongInARow` wrong
 * PINs in a row this screen refuses every PIN (`pin_locked`, not even checked) for `PIN_LOCKOUT.lockMs`,
 * so a 4-digit PIN cannot be guessed at the counter; every wrong PIN and every lock is logged for IT.
 */
export class StaffPins {
  readonly #roster: Pick<Roster, 'staffRow' | 'activeStaff'>;
  readonly #log: { warn(obj: object, msg: string): void };
  readonly #now: () => number;
  #wrongInARow = 0;
  #lockedUntil = 0;

  constructor(roster: Pick<Roster, 'staffRow' | 'activeStaff'>, log: { warn(obj: object, msg: string): void }, now: () => number = Date.now) {
    this.#now = now;
    this.#roster = roster;
    this.#log = log;
  }

  #candidates(roles: readonly StaffRole[], staffId?: string): { named: boolean; anyone: boolean; withRole: StaffPinRow[] } {
    const candidates = staffId ? [this.#roster.staffRow(staffId)].filter((s): s is StaffPinRow => !!s && s.status === 'active') : this.#roster.activeStaff();
    const withRole = candidates.filter((s) => parseRoles(s.roles).some((r) => (roles as readonly string[]).includes(r)));
    return { named: staffId !== undefined, anyone: candidates.length > 0, withRole };
  }

  #refusal(c: { named: boolean; anyone: boolean; withRole: StaffPinRow[] }, roles: readonly StaffRole[], staffId?: string): StaffPinCheck {
    if (c.named && c.anyone && c.withRole.length === 0) return { ok: false, reason: 'role_missing' };
    this.#wrongInARow++;
    this.#log.warn({ staffId: staffId ?? null, roles, wrongInARow: this.#wrongInARow }, 'wrong PIN');
    if (this.#wrongInARow >= PIN_LOCKOUT.wrongInARow) {
      this.#wrongInARow = 0;
      this.#lockedUntil = this.#now() + PIN_LOCKOUT.lockMs;
      this.#log.warn({ until: new Date(this.#lockedUntil).toISOString() }, `PIN entry locked after ${PIN_LOCKOUT.wrongInARow} wrong PINs in a row`);
    }
    return { ok: false, reason: 'pin_wrong' };
  }

  #locked(): boolean {
    return this.#now() < this.#lockedUntil;
  }

  #accepted(staff: StaffPinRow): StaffPinCheck {
    this.#wrongInARow = 0;
    return { ok: true, staff };
  }

  /** Synchronous scrypt: fine where nothing else waits on the thread (the till between customers). */
  check(pin: string, roles: readonly StaffRole[], staffId?: string): StaffPinCheck {
    if (this.#locked()) return { ok: false, reason: 'pin_locked' };
    const c = this.#candidates(roles, staffId);
    for (const s of c.withRole) if (verifyPin(pin, s.pin_hash)) return this.#accepted(s);
    return this.#refusal(c, roles, staffId);
  }

  /** scrypt on the thread pool: taps keep being served while the PIN is checked (the guard post). */
  async checkAsync(pin: string, roles: readonly StaffRole[], staffId?: string): Promise<StaffPinCheck> {
    if (this.#locked()) return { ok: false, reason: 'pin_locked' };
    const c = this.#candidates(roles, staffId);
    for (const s of c.withRole) if (await verifyPinAsync(pin, s.pin_hash)) return this.#accepted(s);
    return this.#refusal(c, roles, staffId);
  }
}
