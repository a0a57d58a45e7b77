import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { CartLine } from '../../common/cart.ts';
import type { CloseShiftResult, ShiftInfo, ShiftReport } from '../../common/contract/cashier.ts';
import type { Staff } from '../../common/domain.ts';
import type { Clock } from '../../common/clock.ts';
import { shiftMoney } from '../../common/shift-totals.ts';
import type { Store } from '../store/index.ts';
import type { StaffRow } from '../store/roster.ts';
import { parseRoles, StaffPins } from '../staff-pin.ts';
import { DomainError } from '../../common/errors.ts';
import type { CashierLog } from './log.ts';
import { renderShiftCsv } from './shift-export.ts';

type Role = Staff['roles'][number];

export interface ShiftOfficeOptions {
  store: Store;
  clock: Clock;
  log: CashierLog;
  /** Where shift reports are exported. */
  exportDir: string;
  /** The station's one PIN check (shared with the guard post and IT's setup, so the counts are one). */
  pins?: StaffPins;
}

/**
 * The till's shift: who opens it (a cashier's PIN), the staff PIN checks of the till, and the close with
 * its report, refused while the shift's sales wait to sync unless a supervisor overrides.
 */
export class ShiftOffice {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: CashierLog;
  readonly #exportDir: string;
  readonly #pins: StaffPins;
  #shift: ShiftInfo | null;

  constructor(options: ShiftOfficeOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#exportDir = options.exportDir;
    this.#pins = options.pins ?? new StaffPins(options.store.roster, options.log);
    this.#shift = options.store.shifts.open();
  }

  current(): ShiftInfo | null {
    return this.#shift;
  }

  require(): ShiftInfo {
    if (!this.#shift) throw new DomainError('refused', 'no_shift', 'no shift is open');
    return this.#shift;
  }

  /** Staff who may work the till, void or feed a class. */
  staff(): { id: string; fullName: string; position: string; roles: string[] }[] {
    return this.#store.roster.activeStaff().flatMap((s) => {
      const roles = parseRoles(s.roles);
      return roles.some((r) => r === 'cashier' || r === 'supervisor' || r === 'teacher')
        ? [{ id: s.id, fullName: s.full_name, position: s.position, roles }]
        : [];
    });
  }

  /** The staff member whose PIN this is and who has `role`; checks only `staffId` when given. */
  async authenticate(pin: string, role: Role, staffId?: string): Promise<StaffRow> {
    const r = await this.#pins.check(pin, [role], staffId);
    if (r.ok) return r.staff;
    if (r.reason === 'role_missing') throw new DomainError('refused', 'role_missing', `staff ${staffId} is not a ${role}`);
    if (r.reason === 'pin_locked') throw new DomainError('refused', 'pin_locked', 'PIN entry is locked after too many wrong PINs');
    if (r.reason === 'pin_wait') throw new DomainError('refused', 'pin_wait', 'a PIN was typed again too soon after a wrong one');
    throw new DomainError('refused', 'pin_wrong', 'wrong PIN');
  }

  async open(staffId: string, pin: string): Promise<ShiftInfo> {
    if (this.#shift) throw new DomainError('refused', 'shift_already_open', `shift ${this.#shift.shiftId} is open`);
    const who = await this.authenticate(pin, 'cashier', staffId);
    // Another shift may have opened while the PIN was being checked.
    if (this.#shift) throw new DomainError('refused', 'shift_already_open', `shift ${(this.#shift as ShiftInfo).shiftId} is open`);
    const shift: ShiftInfo = { shiftId: uuidv7(), operatorId: who.id, operatorName: who.full_name, openedAt: new Date(this.#clock.now()).toISOString() };
    this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('shift_open', { shiftId: shift.shiftId, operatorId: who.id });
      this.#store.shifts.opened(shift, ev.id);
    })();
    this.#shift = shift;
    this.#log.info({ shiftId: shift.shiftId, operatorId: who.id }, 'shift opened');
    return shift;
  }

  /**
   * Closes the open shift. Refused while its sales wait to sync or came back as anomalies, unless a
   * supervisor overrides with a reason. Writes the report to a file and a shift_close event.
   */
  async close(override?: { supervisorPin: string; reason: string }): Promise<CloseShiftResult> {
    const shift = this.require();
    const { pending, anomalies } = this.#store.outbox.shiftUnsynced(shift.openedAt, shift.shiftId);
    let by: ShiftReport['override'] = null;
    if (pending > 0 || anomalies > 0) {
      if (!override) return { ok: false, reason: 'shift_unsynced', pending, anomalies };
      const supervisor = await this.authenticate(override.supervisorPin, 'supervisor');
      by = { supervisorId: supervisor.id, supervisorName: supervisor.full_name, reason: override.reason };
      // Closed by another request while the PIN was being checked.
      if (this.#shift?.shiftId !== shift.shiftId) throw new DomainError('refused', 'no_shift', 'no shift is open');
    }
    const closedAt = new Date(this.#clock.now()).toISOString();
    const report = this.#report(shift, closedAt, pending, anomalies, by);
    if (!report.money.reconciled) this.#log.warn({ shiftId: shift.shiftId }, "shift report: a stored sale's lines do not add up to its total");
    try {
      mkdirSync(this.#exportDir, { recursive: true });
      const base = join(this.#exportDir, `shift-${closedAt.slice(0, 10)}-${shift.shiftId}`);
      report.exportPath = `${base}.json`;
      report.csvPath = `${base}.csv`;
      writeFileSync(report.exportPath, `${JSON.stringify(report, null, 2)}\n`);
      // A BOM, so a spreadsheet on Windows reads the Cyrillic as UTF-8.
      writeFileSync(report.csvPath, `\uFEFF${renderShiftCsv(report, this.#store.settings.get().locale, this.#store.syncState.schoolSettings().timeZone)}`);
    } catch (err) {
      // The close itself must not fail on a full or read-only export folder: the event still carries the totals.
      report.exportPath = null;
      report.csvPath = null;
      this.#log.warn({ err: String(err), dir: this.#exportDir }, 'shift report export failed');
    }
    const totals: Record<string, number> = {
      sales: report.sales.count,
      salesTotal: report.sales.total,
      subsidy: report.sales.subsidy + report.groupMeals.subsidy,
      account: report.sales.account + report.groupMeals.account - report.voids.account,
      school: report.groupMeals.school,
      voids: report.voids.count,
      voidsTotal: report.voids.total,
      groupMeals: report.groupMeals.count,
      gross: report.money.gross.total,
      net: report.money.net.total,
      pendingAtClose: pending,
      anomaliesAtClose: anomalies,
    };
    for (const c of report.byCategory) totals[`category:${c.category}`] = c.total;
    for (const p of report.money.byPayment) totals[`payment:${p.kind}`] = p.total;
    for (const [reason, n] of Object.entries(report.refusals)) totals[`refused:${reason}`] = n;
    this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('shift_close', { shiftId: shift.shiftId, operatorId: shift.operatorId, totals });
      this.#store.shifts.closed(shift.shiftId, closedAt, ev.id, report);
    })();
    this.#log.info({ shiftId: shift.shiftId, override: by, pending, anomalies }, 'shift closed');
    this.#shift = null;
    return { ok: true, report };
  }

  #report(shift: ShiftInfo, closedAt: string, pending: number, anomalies: number, override: ShiftReport['override']): ShiftReport {
    const r: ShiftReport = {
      shiftId: shift.shiftId,
      operatorId: shift.operatorId,
      operatorName: shift.operatorName,
      openedAt: shift.openedAt,
      closedAt,
      sales: { count: 0, total: 0, subsidy: 0, account: 0 },
      voids: { count: 0, total: 0, account: 0 },
      groupMeals: { count: 0, students: 0, subsidy: 0, account: 0, school: 0 },
      byCategory: [],
      money: shiftMoney([]),
      refusals: {},
      pendingAtClose: pending,
      anomaliesAtClose: anomalies,
      override,
      exportPath: null,
      csvPath: null,
    };
    const meals = new Set<string>();
    const debits = this.#store.ledger.shiftDebits(shift.shiftId);
    for (const d of debits) {
      if (d.kind === 'sale') {
        r.sales.count++;
        r.sales.total += d.total;
        r.sales.subsidy += d.subsidy_part;
        r.sales.account += d.account_part;
        if (d.void_event_id) {
          r.voids.count++;
          r.voids.total += d.total;
          r.voids.account += d.account_part;
        }
      } else {
        meals.add(d.ref_id);
        r.groupMeals.students++;
        r.groupMeals.subsidy += d.subsidy_part;
        r.groupMeals.account += d.account_part;
        r.groupMeals.school += d.school_part;
      }
    }
    r.groupMeals.count = meals.size;
    r.money = shiftMoney(
      debits.map((d) => ({
        kind: d.kind,
        total: d.total,
        subsidyPart: d.subsidy_part,
        accountPart: d.account_part,
        schoolPart: d.school_part,
        voided: d.void_event_id !== null,
        lines: JSON.parse(d.lines) as CartLine[],
      })),
    );
    r.byCategory = r.money.byCategory;
    r.refusals = this.#store.ledger.shiftRefusals(shift.shiftId);
    return r;
  }
}
