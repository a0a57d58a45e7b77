import { EventEmitter } from 'node:events';
import { v7 as uuidv7 } from 'uuid';
import type { GuardOnDuty } from '../../common/contract/guard.ts';
import { DomainError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import { parseRoles, StaffPins, type StaffRole } from '../staff-pin.ts';
import type { DutyEndCause as EndCause, DutyRow } from '../store/guard-log.ts';
import type { Store } from '../store/index.ts';

/** Who may be on duty at the guard post. */
export const DUTY_ROLES: readonly StaffRole[] = ['guard', 'supervisor'];

export interface GuardDutyOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The end of the school day that `now` falls in, UTC (common/school-time.ts `schoolDayEnd`). */
  endOfDay: (now: number) => { schoolDate: string; endsAt: string };
  /** The station's one PIN check (shared with the till and IT's setup, so the counts are one). */
  pins?: StaffPins;
}

/**
 * Who is on duty at the guard post. Nothing about a tap depends on it: children pass and the
 * relay opens with nobody signed in. The guard's manual actions carry the on-duty operator; with nobody on
 * duty they need a PIN, which signs that person in. The duty is kept in the store (migration 006), so it
 * survives a restart, and it ends by itself at the end of the school day. Start and end are outbox events.
 */
export class GuardDuty extends EventEmitter<{ change: [GuardOnDuty | null] }> {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #endOfDay: GuardDutyOptions['endOfDay'];
  readonly #pins: StaffPins;
  #duty: DutyRow | null = null;

  constructor(options: GuardDutyOptions) {
    super();
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#endOfDay = options.endOfDay;
    this.#pins = options.pins ?? new StaffPins(options.store.roster, options.log);
    this.#duty = this.#store.guardLog.openDuty();
  }

  /** Who is on duty now, or null (a duty past the end of its school day has ended). */
  current(): GuardOnDuty | null {
    this.expire();
    const d = this.#duty;
    return d ? { dutyId: d.id, staffId: d.staff_id, fullName: d.full_name, position: d.position, since: d.started_at, until: d.ends_at } : null;
  }

  /** Ends a duty whose school day is over (on start, every minute, and whenever the duty is read). */
  expire(): void {
    const d = this.#duty;
    if (d && d.ends_at <= new Date(this.#clock.now()).toISOString()) this.#end('day_ended');
  }

  /**
   * Signs in the guard or supervisor whose PIN this is. The PIN is checked on the thread pool, so taps go
   * on meanwhile. The same person again keeps the duty; another person replaces whoever was on duty.
   */
  async signIn(pin: string, via: 'sign_in' | 'action' = 'sign_in', staffId?: string): Promise<GuardOnDuty> {
    const check = await this.#pins.check(pin, DUTY_ROLES, staffId);
    if (!check.ok) throw new DomainError('refused', check.reason, 'the PIN is not that of a guard or supervisor');
    const who = check.staff;
    const on = this.current();
    if (on?.staffId === who.id) return on;
    const now = this.#clock.now();
    const { schoolDate, endsAt } = this.#endOfDay(now);
    const row: DutyRow = {
      id: uuidv7(),
      staff_id: who.id,
      full_name: who.full_name,
      position: who.position,
      started_at: new Date(now).toISOString(),
      ends_at: endsAt,
    };
    this.#store.db.transaction(() => {
      if (this.#duty) this.#end('replaced', false);
      this.#store.guardLog.startDuty(row, schoolDate);
      this.#store.outbox.append('guard_duty_start', { dutyId: row.id, operatorId: who.id, via });
    })();
    this.#duty = row;
    this.#log.info({ operatorId: who.id, via, until: endsAt }, 'guard: on duty');
    const current = this.current() as GuardOnDuty;
    this.emit('change', current);
    return current;
  }

  /** Who may go on duty (active guards and supervisors with a PIN), for the sign-in dialog to name. */
  people(): { staffId: string; fullName: string; position: string }[] {
    return this.#store.roster
      .activeStaff()
      .flatMap((s) =>
        s.pin_hash && parseRoles(s.roles).some((r) => (DUTY_ROLES as readonly string[]).includes(r))
          ? [{ staffId: s.id, fullName: s.full_name, position: s.position }]
          : [],
      );
  }

  signOut(): null {
    if (this.#duty) this.#end('signed_out');
    return null;
  }

  /**
   * The operator of a manual action: the person chosen, by their PIN (who is then on duty), else the
   * guard on duty. With neither the action is refused with `pin_required`, and the renderer asks for
   * both. The screen names its person first; a PIN sent without one is still checked against everyone
   * who may be on duty, and its failures counted for the whole post.
   */
  async operatorFor(pin: string | undefined, staffId?: string): Promise<string> {
    if (pin) return (await this.signIn(pin, 'action', staffId)).staffId;
    const on = this.onDuty();
    if (on) return on;
    throw new DomainError('refused', 'pin_required', 'nobody is on duty at the guard post: a PIN is needed');
  }

  /** The on-duty operator's id, or null; a person the roster no longer lets be on duty is signed out. */
  onDuty(): string | null {
    const on = this.current();
    if (!on) return null;
    const staff = this.#store.roster.staffRow(on.staffId);
    if (staff?.status === 'active' && parseRoles(staff.roles).some((r) => (DUTY_ROLES as readonly string[]).includes(r))) return on.staffId;
    this.#log.warn(
      { operatorId: on.staffId, status: staff?.status ?? 'missing' },
      'guard: the person on duty may no longer be on duty (roster changed); signed out',
    );
    this.#end('not_allowed');
    return null;
  }

  #end(cause: EndCause, announce = true): void {
    const d = this.#duty;
    if (!d) return;
    const at = new Date(this.#clock.now()).toISOString();
    this.#store.db.transaction(() => {
      this.#store.guardLog.endDuty(d.id, at, cause);
      this.#store.outbox.append('guard_duty_end', { dutyId: d.id, operatorId: d.staff_id, startedAt: d.started_at, cause });
    })();
    this.#duty = null;
    this.#log.info({ operatorId: d.staff_id, cause }, 'guard: off duty');
    if (announce) this.emit('change', null);
  }
}
