import type { CartLine } from '../../common/cart.ts';
import type { GroupMealDone, Receipt } from '../../common/contract/cashier.ts';
import type { Holder } from '../../common/domain.ts';
import type { Clock } from '../../common/clock.ts';
import { schoolDate } from '../../common/school-time.ts';
import type { DebitRow } from '../store/cashier-ledger.ts';
import type { Store } from '../store/index.ts';
import { DomainError } from '../../common/errors.ts';
import type { CashierLog } from './log.ts';
import { menuItemOn } from './menu.ts';
import type { ShiftOffice } from './shift-office.ts';

export interface LedgerOptions {
  store: Store;
  clock: Clock;
  log: CashierLog;
  office: ShiftOffice;
  isOnline: () => boolean;
}

/** What the till has charged: receipts, the shift's sales, a supervisor's void and a class's group meal. */
export class Ledger {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: CashierLog;
  readonly #office: ShiftOffice;
  readonly #isOnline: () => boolean;

  constructor(options: LedgerOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#office = options.office;
    this.#isOnline = options.isOnline;
  }

  receipt(row: DebitRow, holder?: Holder): Receipt {
    const h =
      holder ??
      this.#store.roster.holderById(row.holder_id) ??
      ({ kind: 'student', id: row.holder_id, fullName: row.holder_id, group: '', photoHash: null } satisfies Holder);
    return {
      saleId: row.id,
      eventId: row.event_id,
      holder: h,
      lines: JSON.parse(row.lines) as CartLine[],
      total: row.total,
      subsidyPart: row.subsidy_part,
      accountPart: row.account_part,
      subsidyKind: row.subsidy_kind,
      offline: row.offline === 1,
      verifiedByPhoto: row.verified === 1,
      at: row.occurred_at,
      voided: row.void_event_id !== null,
    };
  }

  /** The open shift's sales, newest first. */
  sales(limit: number): Receipt[] {
    const shift = this.#office.require();
    return this.#store.ledger.shiftSales(shift.shiftId, limit).map((r) => this.receipt(r));
  }

  /** Voids a sale of the open shift with a supervisor's PIN; the account is credited when the server applies it. */
  async voidSale(saleId: string, supervisorPin: string, reason: string): Promise<Receipt> {
    const shift = this.#office.require();
    const { ledger, outbox, db } = this.#store;
    const check = () => {
      const row = ledger.debit(saleId);
      if (!row || row.kind !== 'sale') throw new DomainError('refused', 'sale_not_found', `no sale ${saleId}`);
      if (row.shift_id !== shift.shiftId) throw new DomainError('refused', 'sale_not_in_shift', `sale ${saleId} is from another shift`);
      if (row.void_event_id) throw new DomainError('refused', 'sale_already_voided', `sale ${saleId} is already voided`);
      return row;
    };
    check();
    const supervisor = await this.#office.authenticate(supervisorPin, 'supervisor');
    // Read again after the PIN check: the same sale may have been voided meanwhile.
    const row = check();
    db.transaction(() => {
      const ev = outbox.append('void', {
        saleEventId: row.event_id,
        holderId: row.holder_id,
        amount: row.account_part,
        supervisorId: supervisor.id,
        reason,
        shiftId: shift.shiftId,
      });
      ledger.voidDebit(saleId, ev.id, ev.occurredAt);
    })();
    this.#log.info({ saleId, supervisorId: supervisor.id, amount: row.account_part }, 'sale voided');
    return this.receipt(ledger.debit(saleId)!);
  }

  classes(): string[] {
    return this.#store.roster.classes();
  }

  classStudents(className: string): Holder[] {
    return this.#store.roster.classStudents(className);
  }

  /** Today's school date, as every sale counts it. */
  today(): string {
    return schoolDate(this.#clock.now(), this.#store.syncState.schoolSettings().timeZone);
  }

  /** A class's students with where the school's guard posts put them today (none: the school has no post here). */
  classPresence(className: string): (Holder & { presence?: { state: 'inside' | 'left' | 'absent'; at: string | null } })[] {
    const students = this.classStudents(className);
    const { schoolDay } = this.#store;
    if (!schoolDay.stations().some((s) => s.role === 'guard')) return students;
    const today = this.today();
    return students.map((st) => {
      const last = schoolDay.lastPass(st.id, today);
      const presence = !last
        ? { state: 'absent' as const, at: null }
        : { state: last.direction === 'in' ? ('inside' as const) : ('left' as const), at: last.at };
      return { ...st, presence };
    });
  }

  /** Today's group meals of a class at this till, oldest first, with who recorded each. */
  groupMealsToday(className: string): GroupMealDone[] {
    const { ledger, outbox, roster } = this.#store;
    const today = schoolDate(this.#clock.now(), this.#store.syncState.schoolSettings().timeZone);
    const ids = this.classStudents(className).map((s) => s.id);
    return ledger.groupMealsOf(ids, today).map((g) => {
      const fact = outbox.payloadOf(g.eventId) as { operatorId?: string | null } | null;
      const operator = fact?.operatorId ? roster.holder('staff', fact.operatorId) : null;
      return {
        groupMealId: g.groupMealId,
        className,
        itemId: g.itemId,
        itemName: g.itemName,
        at: g.at,
        operatorName: operator?.fullName ?? null,
        students: g.students,
        total: g.total,
      };
    });
  }

  /**
   * One event for a class fed together, no taps: the marked students, one complex meal each, paid by
   * the subsidy, the students' accounts or the school. Idempotent by groupMealId. A second one for the
   * same class, meal and school day (the button pressed again, a teacher and the cashier both recording
   * it) is refused unless a supervisor allows it with their PIN.
   */
  async groupMeal(input: {
    groupMealId: string;
    className: string;
    itemId: string;
    studentIds: readonly string[];
    payer: 'subsidy' | 'accounts' | 'school';
    teacherPin?: string;
    supervisorPin?: string;
  }): Promise<{ groupMealId: string; eventId: string; className: string; students: number; total: number; payer: 'subsidy' | 'accounts' | 'school' }> {
    const { ledger, outbox, db } = this.#store;
    const already = () => {
      const done = ledger.groupMeal(input.groupMealId);
      return done
        ? { groupMealId: input.groupMealId, eventId: done.eventId, className: input.className, students: done.students, total: done.total, payer: input.payer }
        : null;
    };
    const before = already();
    if (before) return before;

    let operatorId: string;
    if (input.teacherPin) operatorId = (await this.#office.authenticate(input.teacherPin, 'teacher')).id;
    else operatorId = this.#office.require().operatorId;
    // The same group meal may have been recorded while the PIN was being checked (a second click).
    const meanwhile = already();
    if (meanwhile) return meanwhile;
    const today = schoolDate(this.#clock.now(), this.#store.syncState.schoolSettings().timeZone);
    const parsed = menuItemOn(this.#store, today, input.itemId);
    if (!parsed?.ok) throw new DomainError('refused', 'unknown_item', `item ${input.itemId} is not on today's menu`);
    const item = parsed.item;
    if (item.kind !== 'complex') throw new DomainError('refused', 'not_complex_item', `${item.name} is not a complex meal`);
    const inClass = new Set(this.classStudents(input.className).map((s) => s.id));
    if (inClass.size === 0) throw new DomainError('refused', 'class_empty', `class ${input.className} has no students`);
    const ids = [...new Set(input.studentIds)];
    const stranger = ids.find((id) => !inClass.has(id));
    if (stranger) throw new DomainError('refused', 'student_not_in_class', `${stranger} is not in ${input.className}`);
    const first = this.groupMealsToday(input.className).find((g) => g.itemId === item.id) ?? null;
    let approvedBy: string | null = null;
    if (first) {
      if (!input.supervisorPin)
        throw new DomainError('refused', 'group_meal_repeat', `${input.className} already had ${item.id} today (group meal ${first.groupMealId})`);
      approvedBy = (await this.#office.authenticate(input.supervisorPin, 'supervisor')).id;
      // The same repeat may have been recorded while the supervisor's PIN was being checked.
      const again = already();
      if (again) return again;
    }

    const shiftId = this.#office.current()?.shiftId ?? null;
    const offline = !this.#isOnline();
    const total = item.price * ids.length;
    const line: CartLine = {
      itemId: item.id,
      name: item.name,
      category: item.category,
      kind: item.kind,
      price: item.price,
      quantity: 1,
      allergens: item.allergens,
    };
    const eventId = db.transaction(() => {
      const ev = outbox.append('group_meal', {
        groupMealId: input.groupMealId,
        className: input.className,
        itemId: item.id,
        itemName: item.name,
        price: item.price,
        payer: input.payer,
        students: ids.map((holderId) => ({ holderId, amount: item.price })),
        total,
        shiftId,
        operatorId,
        ...(first ? { repeatOf: first.groupMealId, approvedBy } : {}),
      });
      for (const holderId of ids) {
        ledger.addDebit({
          id: `${input.groupMealId}:${holderId}`,
          kind: 'group_meal',
          refId: input.groupMealId,
          eventId: ev.id,
          shiftId,
          holderId,
          schoolDate: today,
          occurredAt: ev.occurredAt,
          total: item.price,
          subsidyPart: input.payer === 'subsidy' ? item.price : 0,
          accountPart: input.payer === 'accounts' ? item.price : 0,
          schoolPart: input.payer === 'school' ? item.price : 0,
          subsidyKind: null,
          offline,
          verified: false,
          lines: JSON.stringify([line]),
        });
      }
      return ev.id;
    })();
    if (first)
      this.#log.warn(
        { groupMealId: input.groupMealId, repeatOf: first.groupMealId, className: input.className, supervisorId: approvedBy },
        "group meal repeated with a supervisor's PIN",
      );
    else this.#log.info({ groupMealId: input.groupMealId, className: input.className, students: ids.length, payer: input.payer }, 'group meal');
    return { groupMealId: input.groupMealId, eventId, className: input.className, students: ids.length, total, payer: input.payer };
  }
}
