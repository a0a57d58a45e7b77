import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { addItem, cartTotal, removeLine, setQuantity, type CartLine } from '../../common/cart.ts';
import { evaluateSale, type SalePolicy, type TapRefusal } from '../../common/cashier-rules.ts';
import type {
  CashierCart,
  CashierErrorReason,
  CashierState,
  CloseShiftResult,
  ConfirmResult,
  CustomerDisplay,
  MenuView,
  PhotoCheck,
  Receipt,
  ShiftInfo,
  ShiftReport,
  TapOutcome,
} from '../../common/contract/cashier.ts';
import { MenuItem, type Holder, type Staff } from '../../common/domain.ts';
import type { CardRead } from '../../common/readers.ts';
import { schoolDate, type Clock } from '../clock.ts';
import type { Store } from '../store/index.ts';
import { parseRoles, StaffPins, type StaffPinRow } from '../staff-pin.ts';

/** A refusal of a cashier request, as a reason code the renderer translates. */
export class CashierError extends Error {
  override name = 'CashierError';
  readonly reason: CashierErrorReason;
  constructor(reason: CashierErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface CashierEvents {
  cart: [CashierCart];
  check: [PhotoCheck | null];
  tap: [TapOutcome];
  display: [CustomerDisplay];
  shift: [ShiftInfo | null];
}

export interface CashierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CashierDeps {
  store: Store;
  clock: Clock;
  /** The backend answered recently (the sync loop's view). Offline sales are capped per child per day. */
  isOnline: () => boolean;
  /** Where shift reports are exported. */
  exportDir: string;
  /** Defaults to the station settings' offline cap and subsidy discount. */
  policy?: () => SalePolicy;
  timeZone?: string;
  log?: CashierLog;
}

/** A staff row as the store keeps it (the PIN check reads the same shape). */
type StaffRow = StaffPinRow;

interface DebitRow {
  id: string;
  kind: 'sale' | 'group_meal';
  ref_id: string;
  event_id: string;
  shift_id: string | null;
  holder_id: string;
  school_date: string;
  occurred_at: string;
  total: number;
  subsidy_part: number;
  account_part: number;
  school_part: number;
  subsidy_kind: 'free' | 'discounted' | null;
  offline: number;
  verified: number;
  lines: string;
  void_event_id: string | null;
}

interface OpenCheck {
  check: PhotoCheck;
  card: { technology: CardRead['technology']; uid: string };
}

const silentLog: CashierLog = { info: () => {}, warn: () => {} };
type Role = Staff['roles'][number];

/**
 * The canteen till (issue 6): shift, cart, tap → photo check → rules → sale, void, group meal, shift
 * close. Every fact is an outbox event written in the same transaction as the cashier's own rows.
 */
export class Cashier extends EventEmitter<CashierEvents> {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #deps: CashierDeps;
  readonly #log: CashierLog;
  readonly #pins: StaffPins;
  #cart: CartLine[] = [];
  #open: OpenCheck | null = null;
  #display: CustomerDisplay = { state: 'closed', lines: [], total: 0 };
  #shift: ShiftInfo | null;
  readonly #q;

  constructor(deps: CashierDeps) {
    super();
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#deps = deps;
    this.#log = deps.log ?? silentLog;
    const db = deps.store.db;
    this.#pins = new StaffPins(db, this.#log);
    this.#q = {
      menu: db.prepare<[string], Record<string, unknown>>('SELECT * FROM menu_items WHERE date = ? ORDER BY category, name'),
      menuItem: db.prepare<[string, string], Record<string, unknown>>('SELECT * FROM menu_items WHERE date = ? AND id = ?'),
      staffAll: db.prepare<[], StaffRow>("SELECT id, full_name, position, roles, pin_hash, status FROM staff WHERE status = 'active' ORDER BY full_name"),
      openShift: db.prepare<[], { id: string; operator_id: string; operator_name: string; opened_at: string }>(
        'SELECT id, operator_id, operator_name, opened_at FROM cashier_shifts WHERE closed_at IS NULL ORDER BY opened_at DESC LIMIT 1',
      ),
      insertShift: db.prepare(
        'INSERT INTO cashier_shifts (id, operator_id, operator_name, opened_at, open_event_id) VALUES (?, ?, ?, ?, ?)',
      ),
      closeShift: db.prepare('UPDATE cashier_shifts SET closed_at = ?, close_event_id = ?, report = ? WHERE id = ?'),
      debit: db.prepare<[string], DebitRow>('SELECT * FROM cashier_debits WHERE id = ?'),
      insertDebit: db.prepare(
        `INSERT INTO cashier_debits (id, kind, ref_id, event_id, shift_id, holder_id, school_date, occurred_at, total, subsidy_part,
           account_part, school_part, subsidy_kind, offline, verified, lines)
         VALUES (@id, @kind, @refId, @eventId, @shiftId, @holderId, @schoolDate, @occurredAt, @total, @subsidyPart,
           @accountPart, @schoolPart, @subsidyKind, @offline, @verified, @lines)`,
      ),
      voidDebit: db.prepare('UPDATE cashier_debits SET void_event_id = ?, voided_at = ? WHERE id = ? AND void_event_id IS NULL'),
      figures: db.prepare<
        { holder: string; today: string },
        { spent: number; offline: number; subsidy: number; debits: number; credits: number }
      >(
        `SELECT
           coalesce(sum(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL THEN d.account_part END), 0) AS spent,
           coalesce(sum(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL AND d.offline = 1 THEN d.account_part END), 0) AS offline,
           coalesce(max(CASE WHEN d.school_date = @today AND d.void_event_id IS NULL AND d.subsidy_part > 0 THEN 1 END), 0) AS subsidy,
           coalesce(sum(CASE WHEN o.seq > coalesce(a.after_seq, 0) THEN d.account_part END), 0) AS debits,
           coalesce(sum(CASE WHEN v.seq > coalesce(a.after_seq, 0) THEN d.account_part END), 0) AS credits
         FROM cashier_debits d
         JOIN outbox o ON o.id = d.event_id
         LEFT JOIN outbox v ON v.id = d.void_event_id
         LEFT JOIN cashier_account_sync a ON a.holder_id = d.holder_id
         WHERE d.holder_id = @holder`,
      ),
      insertRefusal: db.prepare('INSERT INTO cashier_refusals (shift_id, at, reason, holder_id) VALUES (?, ?, ?, ?)'),
      shiftSales: db.prepare<[string, number], DebitRow>(
        "SELECT * FROM cashier_debits WHERE shift_id = ? AND kind = 'sale' ORDER BY occurred_at DESC, rowid DESC LIMIT ?",
      ),
      shiftDebits: db.prepare<[string], DebitRow>('SELECT * FROM cashier_debits WHERE shift_id = ?'),
      shiftRefusals: db.prepare<[string], { reason: string; n: number }>(
        'SELECT reason, count(*) AS n FROM cashier_refusals WHERE shift_id = ? GROUP BY reason ORDER BY reason',
      ),
      shiftUnsynced: db.prepare<[string, string], { pending: number; anomalies: number }>(
        `SELECT coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'anomaly'), 0) AS anomalies
         FROM outbox
         WHERE type IN ('sale', 'void', 'group_meal', 'sale_rejected') AND occurred_at >= ?
           AND json_extract(payload, '$.shiftId') = ?`,
      ),
      holder: db.prepare<[string, string], { kind: 'student' | 'staff'; id: string; full_name: string; grp: string; photo_hash: string | null }>(
        `SELECT 'student' AS kind, id, full_name, class_name AS grp, photo_hash FROM students WHERE id = ?
         UNION ALL SELECT 'staff', id, full_name, position, photo_hash FROM staff WHERE id = ? LIMIT 1`,
      ),
      classes: db.prepare<[], { class_name: string }>(
        "SELECT DISTINCT class_name FROM students WHERE status = 'active' ORDER BY length(class_name), class_name",
      ),
      classStudents: db.prepare<[string], { id: string; full_name: string; class_name: string; photo_hash: string | null }>(
        "SELECT id, full_name, class_name, photo_hash FROM students WHERE class_name = ? AND status = 'active' ORDER BY full_name",
      ),
    };
    const s = this.#q.openShift.get();
    this.#shift = s ? { shiftId: s.id, operatorId: s.operator_id, operatorName: s.operator_name, openedAt: s.opened_at } : null;
    this.#setDisplay(this.#shift ? 'idle' : 'closed');
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────

  state(): CashierState {
    return { shift: this.#shift, cart: this.#cartState(), check: this.#open?.check ?? null };
  }

  display(): CustomerDisplay {
    return this.#display;
  }

  #today(): string {
    return schoolDate(this.#clock.now(), this.#deps.timeZone);
  }

  #nowIso(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  #policy(): SalePolicy {
    if (this.#deps.policy) return this.#deps.policy();
    const s = this.#store.settings.get();
    return { offlineCapPerDay: s.offlineCapPerDay, subsidyDiscountPercent: s.subsidyDiscountPercent };
  }

  #cartState(): CashierCart {
    return { lines: this.#cart, total: cartTotal(this.#cart), locked: this.#open !== null };
  }

  #setDisplay(state: CustomerDisplay['state'], lines: readonly CartLine[] = this.#cart): void {
    this.#display = {
      state,
      lines: lines.map((l) => ({ name: l.name, quantity: l.quantity, amount: l.price * l.quantity })),
      total: cartTotal(lines),
    };
    this.emit('display', this.#display);
  }

  #cartChanged(): CashierCart {
    const c = this.#cartState();
    this.emit('cart', c);
    this.#setDisplay(this.#shift ? (this.#cart.length ? 'cart' : 'idle') : 'closed');
    return c;
  }

  // ── menu ───────────────────────────────────────────────────────────────────────────────────────

  /** Today's menu; a row that does not read as a menu item is skipped and reported (and logged for IT). */
  menu(): MenuView {
    const date = this.#today();
    const items: MenuItem[] = [];
    const skipped: MenuView['skipped'] = [];
    for (const row of this.#q.menu.all(date)) {
      const parsed = parseMenuRow(row);
      if (parsed.ok) items.push(parsed.item);
      else {
        skipped.push({ id: String(row.id ?? ''), problem: parsed.problem });
        this.#log.warn({ itemId: row.id, date, problem: parsed.problem }, 'menu row skipped');
      }
    }
    return { date, items, skipped };
  }

  // ── shifts and people ──────────────────────────────────────────────────────────────────────────

  staff(): { id: string; fullName: string; position: string; roles: string[] }[] {
    return this.#q.staffAll.all().flatMap((s) => {
      const roles = parseRoles(s.roles);
      return roles.some((r) => r === 'cashier' || r === 'supervisor' || r === 'teacher')
        ? [{ id: s.id, fullName: s.full_name, position: s.position, roles }]
        : [];
    });
  }

  /** The staff member whose PIN this is and who has `role`; checks only `staffId` when given. */
  #authenticate(pin: string, role: Role, staffId?: string): StaffRow {
    const r = this.#pins.check(pin, [role], staffId);
    if (r.ok) return r.staff;
    if (r.reason === 'role_missing') throw new CashierError('role_missing', `staff ${staffId} is not a ${role}`);
    if (r.reason === 'pin_locked') throw new CashierError('pin_locked', 'PIN entry is locked after too many wrong PINs');
    throw new CashierError('pin_wrong', 'wrong PIN');
  }

  openShift(staffId: string, pin: string): ShiftInfo {
    if (this.#shift) throw new CashierError('shift_already_open', `shift ${this.#shift.shiftId} is open`);
    const who = this.#authenticate(pin, 'cashier', staffId);
    const shiftId = uuidv7();
    const openedAt = this.#nowIso();
    this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('shift_open', { shiftId, operatorId: who.id });
      this.#q.insertShift.run(shiftId, who.id, who.full_name, openedAt, ev.id);
    })();
    this.#shift = { shiftId, operatorId: who.id, operatorName: who.full_name, openedAt };
    this.#log.info({ shiftId, operatorId: who.id }, 'shift opened');
    this.emit('shift', this.#shift);
    this.#cartChanged();
    return this.#shift;
  }

  #requireShift(): ShiftInfo {
    if (!this.#shift) throw new CashierError('no_shift', 'no shift is open');
    return this.#shift;
  }

  // ── cart ───────────────────────────────────────────────────────────────────────────────────────

  #editCart(edit: () => CartLine[]): CashierCart {
    this.#requireShift();
    if (this.#open) throw new CashierError('cart_locked', 'a photo check is open');
    this.#cart = edit();
    return this.#cartChanged();
  }

  addToCart(itemId: string): CashierCart {
    return this.#editCart(() => {
      const row = this.#q.menuItem.get(this.#today(), itemId);
      const parsed = row ? parseMenuRow(row) : null;
      if (!parsed?.ok) {
        this.#log.warn({ itemId, problem: parsed ? parsed.problem : 'not on today’s menu' }, 'unknown item refused');
        throw new CashierError('unknown_item', `item ${itemId} is not on today's menu`);
      }
      return addItem(this.#cart, parsed.item);
    });
  }

  setQuantity(itemId: string, quantity: number): CashierCart {
    return this.#editCart(() => setQuantity(this.#cart, itemId, quantity));
  }

  removeFromCart(itemId: string): CashierCart {
    return this.#editCart(() => removeLine(this.#cart, itemId));
  }

  clearCart(): CashierCart {
    return this.#editCart(() => []);
  }

  // ── the tap ────────────────────────────────────────────────────────────────────────────────────

  /** A card on a reader with the role 'cashier'. Returns what happened (also emitted). */
  onCard(read: CardRead): TapOutcome | PhotoCheck {
    const ignored = (hint: 'cart_empty' | 'busy' | 'no_shift'): TapOutcome => {
      const out: TapOutcome = { kind: 'ignored', hint, readerId: read.readerId };
      this.emit('tap', out);
      return out;
    };
    if (!this.#shift) return ignored('no_shift');
    if (this.#open) return ignored('busy');
    if (this.#cart.length === 0) return ignored('cart_empty');

    const card = { technology: read.technology, uid: read.uid };
    const refuse = (reason: TapRefusal, holder: Holder | null): TapOutcome => {
      this.#refusal(reason, holder?.id ?? null);
      const out: TapOutcome = { kind: 'refused', reason, holder, card, readerId: read.readerId };
      this.#log.info({ reason, card, holderId: holder?.id ?? null }, 'tap refused');
      this.emit('tap', out);
      this.#setDisplay('see_cashier');
      return out;
    };

    const found = this.#store.roster.lookupCard(card);
    if (!found) return refuse('card_unknown', null);
    const holder = found.holder;
    if (found.card.status === 'blocked') return refuse('card_blocked', holder);
    if (found.card.status === 'lost') return refuse('card_lost', holder);
    if (found.card.validUntil && Date.parse(found.card.validUntil) < this.#clock.now()) return refuse('card_expired', holder);
    if (!holder) return refuse('holder_unknown', null);
    const account = this.#store.roster.account(holder.id);
    if (!account) return refuse(holder.kind === 'staff' ? 'staff_no_account' : 'no_account', holder);

    const check: PhotoCheck = {
      checkId: uuidv7(),
      readerId: read.readerId,
      tapAt: read.at,
      holder,
      cardStatus: found.card.status,
      allergens: account.allergens,
      parentNote: account.parentNote,
      allergyFlag: account.allergens.length > 0,
      lines: this.#cart,
      total: cartTotal(this.#cart),
    };
    this.#open = { check, card };
    this.emit('check', check);
    this.emit('cart', this.#cartState());
    this.#setDisplay('checking');
    return check;
  }

  #refusal(reason: string, holderId: string | null): void {
    this.#q.insertRefusal.run(this.#shift?.shiftId ?? null, this.#nowIso(), reason, holderId);
  }

  #closeCheck(): void {
    this.#open = null;
    this.emit('check', null);
    this.emit('cart', this.#cartState());
  }

  /**
   * "This is the child". Idempotent by the renderer's saleId: a second call with the same id (a
   * double click, a retried message) answers with the sale already stored and stores nothing.
   */
  confirm(checkId: string, saleId: string): ConfirmResult {
    const existing = this.#q.debit.get(saleId);
    if (existing) return { ok: true, receipt: this.#receipt(existing) };
    const shift = this.#requireShift();
    const open = this.#open;
    if (!open || open.check.checkId !== checkId) throw new CashierError('check_gone', 'the photo check is no longer open');
    const { check } = open;
    const account = this.#store.roster.account(check.holder.id);
    if (!account) {
      this.#closeCheck();
      throw new CashierError('check_gone', 'the account disappeared');
    }
    const today = this.#today();
    const offline = !this.#deps.isOnline();
    const f = this.#q.figures.get({ holder: check.holder.id, today })!;
    const verdict = evaluateSale(check.lines, {
      account,
      spentToday: f.spent,
      subsidyUsedToday: f.subsidy === 1,
      unsyncedDebits: f.debits,
      unsyncedCredits: f.credits,
      offline,
      offlineSpentToday: f.offline,
      policy: this.#policy(),
    });
    if (!verdict.ok) {
      this.#refusal(verdict.reason, check.holder.id);
      this.#log.info({ reason: verdict.reason, holderId: check.holder.id, lines: verdict.lines.map((l) => l.itemId) }, 'sale refused');
      this.#closeCheck();
      this.#setDisplay('see_cashier');
      return {
        ok: false,
        reason: verdict.reason,
        lines: verdict.lines,
        details: verdict.details,
        total: verdict.total,
        subsidyPart: verdict.subsidyPart,
        accountPart: verdict.accountPart,
      };
    }
    const lines = check.lines;
    const row = this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('sale', {
        saleId,
        holderId: check.holder.id,
        card: open.card,
        lines: lines.map((l) => ({ itemId: l.itemId, name: l.name, category: l.category, price: l.price, quantity: l.quantity })),
        total: verdict.total,
        subsidyPart: verdict.subsidyPart,
        accountPart: verdict.accountPart,
        verifiedByPhoto: true,
        offline,
        shiftId: shift.shiftId,
        operatorId: shift.operatorId,
      });
      this.#q.insertDebit.run({
        id: saleId,
        kind: 'sale',
        refId: saleId,
        eventId: ev.id,
        shiftId: shift.shiftId,
        holderId: check.holder.id,
        schoolDate: today,
        occurredAt: ev.occurredAt,
        total: verdict.total,
        subsidyPart: verdict.subsidyPart,
        accountPart: verdict.accountPart,
        schoolPart: 0,
        subsidyKind: verdict.subsidy?.kind ?? null,
        offline: offline ? 1 : 0,
        verified: 1,
        lines: JSON.stringify(lines),
      });
      return this.#q.debit.get(saleId)!;
    })();
    this.#cart = [];
    this.#open = null;
    this.emit('check', null);
    this.emit('cart', this.#cartState());
    this.#setDisplay('paid', lines);
    return { ok: true, receipt: this.#receipt(row, check.holder) };
  }

  /**
   * The figures the rules see for one holder today: the station's view of the balance (synced balance
   * − debits the server's figure does not include + such voids), today's spending, subsidy used.
   */
  figures(holderId: string): { available: number; spentToday: number; offlineSpentToday: number; subsidyUsedToday: boolean } | null {
    const account = this.#store.roster.account(holderId);
    if (!account) return null;
    const f = this.#q.figures.get({ holder: holderId, today: this.#today() })!;
    return { available: account.balance - f.debits + f.credits, spentToday: f.spent, offlineSpentToday: f.offline, subsidyUsedToday: f.subsidy === 1 };
  }

  /** "Not this child": its own event; nothing is charged and the cart stays for the right child. */
  reject(checkId: string, saleId: string): void {
    const shift = this.#requireShift();
    const open = this.#open;
    if (!open || open.check.checkId !== checkId) throw new CashierError('check_gone', 'the photo check is no longer open');
    this.#store.db.transaction(() => {
      this.#store.outbox.append('sale_rejected', {
        saleId,
        holderId: open.check.holder.id,
        card: open.card,
        reason: 'not_this_child',
        shiftId: shift.shiftId,
        operatorId: shift.operatorId,
      });
      this.#refusal('not_this_child', open.check.holder.id);
    })();
    this.#log.info({ holderId: open.check.holder.id, card: open.card }, 'not this child');
    this.#closeCheck();
    this.#setDisplay('see_cashier');
  }

  #receipt(row: DebitRow, holder?: Holder): Receipt {
    const h =
      holder ??
      this.#holder(row.holder_id) ??
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

  #holder(id: string): Holder | null {
    const r = this.#q.holder.get(id, id);
    return r ? { kind: r.kind, id: r.id, fullName: r.full_name, group: r.grp, photoHash: r.photo_hash } : null;
  }

  /** The open shift's sales, newest first. */
  sales(limit: number): Receipt[] {
    const shift = this.#requireShift();
    return this.#q.shiftSales.all(shift.shiftId, limit).map((r) => this.#receipt(r));
  }

  // ── void ───────────────────────────────────────────────────────────────────────────────────────

  /** Voids a sale of the open shift with a supervisor's PIN; the account is credited when the server applies it. */
  voidSale(saleId: string, supervisorPin: string, reason: string): Receipt {
    const shift = this.#requireShift();
    const row = this.#q.debit.get(saleId);
    if (!row || row.kind !== 'sale') throw new CashierError('sale_not_found', `no sale ${saleId}`);
    if (row.shift_id !== shift.shiftId) throw new CashierError('sale_not_in_shift', `sale ${saleId} is from another shift`);
    if (row.void_event_id) throw new CashierError('sale_already_voided', `sale ${saleId} is already voided`);
    const supervisor = this.#authenticate(supervisorPin, 'supervisor');
    this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('void', {
        saleEventId: row.event_id,
        holderId: row.holder_id,
        amount: row.account_part,
        supervisorId: supervisor.id,
        reason,
        shiftId: shift.shiftId,
      });
      this.#q.voidDebit.run(ev.id, ev.occurredAt, saleId);
    })();
    this.#log.info({ saleId, supervisorId: supervisor.id, amount: row.account_part }, 'sale voided');
    return this.#receipt(this.#q.debit.get(saleId)!);
  }

  // ── group meal ─────────────────────────────────────────────────────────────────────────────────

  classes(): string[] {
    return this.#q.classes.all().map((r) => r.class_name);
  }

  classStudents(className: string): Holder[] {
    return this.#q.classStudents
      .all(className)
      .map((s) => ({ kind: 'student', id: s.id, fullName: s.full_name, group: s.class_name, photoHash: s.photo_hash }));
  }

  /**
   * One event for a class fed together, no taps: the marked students, one complex meal each, paid by
   * the subsidy, the students' accounts or the school. Idempotent by groupMealId.
   */
  groupMeal(input: {
    groupMealId: string;
    className: string;
    itemId: string;
    studentIds: readonly string[];
    payer: 'subsidy' | 'accounts' | 'school';
    teacherPin?: string;
  }): { groupMealId: string; eventId: string; className: string; students: number; total: number; payer: 'subsidy' | 'accounts' | 'school' } {
    const done = this.#store.db
      .prepare<[string], { event_id: string; n: number; total: number }>(
        'SELECT event_id, count(*) AS n, sum(total) AS total FROM cashier_debits WHERE ref_id = ? GROUP BY event_id',
      )
      .get(input.groupMealId);
    if (done) return { groupMealId: input.groupMealId, eventId: done.event_id, className: input.className, students: done.n, total: done.total, payer: input.payer };

    let operatorId: string;
    if (input.teacherPin) operatorId = this.#authenticate(input.teacherPin, 'teacher').id;
    else operatorId = this.#requireShift().operatorId;
    const row = this.#q.menuItem.get(this.#today(), input.itemId);
    const parsed = row ? parseMenuRow(row) : null;
    if (!parsed?.ok) throw new CashierError('unknown_item', `item ${input.itemId} is not on today's menu`);
    const item = parsed.item;
    if (item.kind !== 'complex') throw new CashierError('not_complex_item', `${item.name} is not a complex meal`);
    const inClass = new Set(this.classStudents(input.className).map((s) => s.id));
    if (inClass.size === 0) throw new CashierError('class_empty', `class ${input.className} has no students`);
    const ids = [...new Set(input.studentIds)];
    const stranger = ids.find((id) => !inClass.has(id));
    if (stranger) throw new CashierError('student_not_in_class', `${stranger} is not in ${input.className}`);

    const shiftId = this.#shift?.shiftId ?? null;
    const today = this.#today();
    const offline = !this.#deps.isOnline();
    const total = item.price * ids.length;
    const line: CartLine = { itemId: item.id, name: item.name, category: item.category, kind: item.kind, price: item.price, quantity: 1, allergens: item.allergens };
    const eventId = this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('group_meal', {
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
      });
      for (const holderId of ids) {
        this.#q.insertDebit.run({
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
          offline: offline ? 1 : 0,
          verified: 0,
          lines: JSON.stringify([line]),
        });
      }
      return ev.id;
    })();
    this.#log.info({ groupMealId: input.groupMealId, className: input.className, students: ids.length, payer: input.payer }, 'group meal');
    return { groupMealId: input.groupMealId, eventId, className: input.className, students: ids.length, total, payer: input.payer };
  }

  // ── shift close ────────────────────────────────────────────────────────────────────────────────

  /**
   * Closes the open shift. Refused while its sales wait to sync or came back as anomalies, unless a
   * supervisor overrides with a reason. Writes the report to a file and a shift_close event.
   */
  closeShift(override?: { supervisorPin: string; reason: string }): CloseShiftResult {
    const shift = this.#requireShift();
    if (this.#open) throw new CashierError('cart_locked', 'a photo check is open');
    const { pending, anomalies } = this.#q.shiftUnsynced.get(shift.openedAt, shift.shiftId) ?? { pending: 0, anomalies: 0 };
    let by: ShiftReport['override'] = null;
    if (pending > 0 || anomalies > 0) {
      if (!override) return { ok: false, reason: 'shift_unsynced', pending, anomalies };
      const supervisor = this.#authenticate(override.supervisorPin, 'supervisor');
      by = { supervisorId: supervisor.id, supervisorName: supervisor.full_name, reason: override.reason };
    }
    const closedAt = this.#nowIso();
    const report = this.#report(shift, closedAt, pending, anomalies, by);
    try {
      mkdirSync(this.#deps.exportDir, { recursive: true });
      const file = join(this.#deps.exportDir, `shift-${closedAt.slice(0, 10)}-${shift.shiftId}.json`);
      report.exportPath = file;
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      // The close itself must not fail on a full or read-only export folder: the event still carries the totals.
      report.exportPath = null;
      this.#log.warn({ err: String(err), dir: this.#deps.exportDir }, 'shift report export failed');
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
      pendingAtClose: pending,
      anomaliesAtClose: anomalies,
    };
    for (const c of report.byCategory) totals[`category:${c.category}`] = c.total;
    for (const [reason, n] of Object.entries(report.refusals)) totals[`refused:${reason}`] = n;
    this.#store.db.transaction(() => {
      const ev = this.#store.outbox.append('shift_close', { shiftId: shift.shiftId, operatorId: shift.operatorId, totals });
      this.#q.closeShift.run(closedAt, ev.id, JSON.stringify(report), shift.shiftId);
    })();
    this.#log.info({ shiftId: shift.shiftId, override: by, pending, anomalies }, 'shift closed');
    this.#shift = null;
    this.#cart = [];
    this.emit('shift', null);
    this.#cartChanged();
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
      refusals: {},
      pendingAtClose: pending,
      anomaliesAtClose: anomalies,
      override,
      exportPath: null,
    };
    const cats = new Map<string, { quantity: number; total: number }>();
    const meals = new Set<string>();
    for (const d of this.#q.shiftDebits.all(shift.shiftId)) {
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
      if (d.void_event_id) continue;
      for (const l of JSON.parse(d.lines) as CartLine[]) {
        const c = cats.get(l.category) ?? { quantity: 0, total: 0 };
        c.quantity += l.quantity;
        c.total += l.price * l.quantity;
        cats.set(l.category, c);
      }
    }
    r.groupMeals.count = meals.size;
    r.byCategory = [...cats].map(([category, c]) => ({ category, ...c })).sort((a, b) => a.category.localeCompare(b.category, 'ru'));
    for (const x of this.#q.shiftRefusals.all(shift.shiftId)) r.refusals[x.reason] = x.n;
    return r;
  }
}

function parseMenuRow(row: Record<string, unknown>): { ok: true; item: MenuItem } | { ok: false; problem: string } {
  let allergens: unknown;
  try {
    allergens = JSON.parse(String(row.allergens ?? '[]'));
  } catch {
    return { ok: false, problem: 'allergens are not a JSON list' };
  }
  const r = MenuItem.safeParse({ id: row.id, date: row.date, name: row.name, category: row.category, kind: row.kind, price: row.price, allergens });
  if (r.success) return { ok: true, item: r.data };
  const issue = r.error.issues[0];
  return { ok: false, problem: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid row' };
}
