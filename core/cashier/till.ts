import type { EventEmitter } from 'node:events';
import { v7 as uuidv7 } from 'uuid';
import { addItem, cartTotal, removeLine, setQuantity, type CartLine } from '../../common/cart.ts';
import { decideTillTap, evaluateSale, type SalePolicy, type TapRefusal } from '../../common/cashier-rules.ts';
import type { CashierCart, ConfirmResult, CustomerDisplay, MenuView, PhotoCheck, TapOutcome } from '../../common/contract/cashier.ts';
import type { Holder, MenuItem } from '../../common/domain.ts';
import type { CardRead } from '../../common/readers.ts';
import type { Clock } from '../../common/clock.ts';
import { schoolDate } from '../../common/school-time.ts';
import { noEntryToday, schoolFigures } from './school-figures.ts';
import type { Store } from '../store/index.ts';
import { foundCard, isAmbiguous, type CardFound } from '../store/roster.ts';
import type { CashierEvents } from './cashier.ts';
import { DomainError } from '../../common/errors.ts';
import type { CashierLog } from './log.ts';
import type { Ledger } from './ledger.ts';
import { menuItemOn, parseMenuRow } from './menu.ts';
import type { ShiftOffice } from './shift-office.ts';
import { cardTag } from '../../node/card-tag.ts';

export interface TillOptions {
  store: Store;
  clock: Clock;
  log: CashierLog;
  office: ShiftOffice;
  ledger: Ledger;
  events: Pick<EventEmitter<CashierEvents>, 'emit'>;
  isOnline: () => boolean;
  policy?: () => SalePolicy;
}

interface OpenCheck {
  check: PhotoCheck;
  card: { technology: CardRead['technology']; uid: string };
}

/**
 * The counter: today's menu, the cart, the tap that opens a photo check, and the cashier's "this is the
 * child" (the sale, decided by common/cashier-rules.ts) or "not this child". The customer display follows.
 */
export class Till {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: CashierLog;
  readonly #office: ShiftOffice;
  readonly #ledger: Ledger;
  readonly #events: TillOptions['events'];
  readonly #o: TillOptions;
  #cart: CartLine[] = [];
  #open: OpenCheck | null = null;
  #display: CustomerDisplay = { state: 'closed', lines: [], total: 0 };

  constructor(options: TillOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#office = options.office;
    this.#ledger = options.ledger;
    this.#events = options.events;
    this.#o = options;
    this.#setDisplay(this.#office.current() ? 'idle' : 'closed');
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────

  check(): PhotoCheck | null {
    return this.#open?.check ?? null;
  }

  checking(): boolean {
    return this.#open !== null;
  }

  display(): CustomerDisplay {
    return this.#display;
  }

  #today(): string {
    return schoolDate(this.#clock.now(), this.#store.syncState.schoolSettings().timeZone);
  }

  #policy(): SalePolicy {
    if (this.#o.policy) return this.#o.policy();
    // The school's rules, as its backend set them (the defaults until a roster page brings them).
    const s = this.#store.syncState.schoolSettings();
    return { offlineCapPerDay: s.offlineCapPerDay, subsidyDiscountPercent: s.subsidyDiscountPercent };
  }

  cart(): CashierCart {
    return { lines: this.#cart, total: cartTotal(this.#cart), locked: this.#open !== null };
  }

  #setDisplay(state: CustomerDisplay['state'], lines: readonly CartLine[] = this.#cart): void {
    this.#display = {
      state,
      lines: lines.map((l) => ({ name: l.name, quantity: l.quantity, amount: l.price * l.quantity })),
      total: cartTotal(lines),
    };
    this.#events.emit('display', this.#display);
  }

  /** Tells the screen and the customer display that the cart (or the shift) changed. */
  cartChanged(): CashierCart {
    const c = this.cart();
    this.#events.emit('cart', c);
    this.#setDisplay(this.#office.current() ? (this.#cart.length ? 'cart' : 'idle') : 'closed');
    return c;
  }

  /** The shift closed: the cart goes with it. */
  reset(): void {
    this.#cart = [];
  }

  // ── menu ───────────────────────────────────────────────────────────────────────────────────────

  /** Today's menu; a row that does not read as a menu item is skipped and reported (and logged for IT). */
  menu(): MenuView {
    const date = this.#today();
    const items: MenuItem[] = [];
    const skipped: MenuView['skipped'] = [];
    for (const row of this.#store.roster.menuRows(date)) {
      const parsed = parseMenuRow(row);
      if (parsed.ok) items.push(parsed.item);
      else {
        skipped.push({ id: String(row.id ?? ''), problem: parsed.problem });
        this.#log.warn({ itemId: row.id, date, problem: parsed.problem }, 'menu row skipped');
      }
    }
    return { date, items, skipped };
  }

  // ── cart ───────────────────────────────────────────────────────────────────────────────────────

  #editCart(edit: () => CartLine[]): CashierCart {
    this.#office.require();
    if (this.#open) throw new DomainError('refused', 'cart_locked', 'a photo check is open');
    this.#cart = edit();
    return this.cartChanged();
  }

  addToCart(itemId: string): CashierCart {
    return this.#editCart(() => {
      const parsed = menuItemOn(this.#store, this.#today(), itemId);
      if (!parsed?.ok) {
        this.#log.warn({ itemId, problem: parsed ? parsed.problem : 'not on today’s menu' }, 'unknown item refused');
        throw new DomainError('refused', 'unknown_item', `item ${itemId} is not on today's menu`);
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

  /**
   * A card on a reader with the role 'cashier'. Returns what happened (also emitted). `found` is the
   * station's one lookup of this card (undefined: look it up here).
   */
  onCard(read: CardRead, found?: CardFound): TapOutcome | PhotoCheck {
    const ignored = (hint: 'cart_empty' | 'busy' | 'no_shift'): TapOutcome => {
      const out: TapOutcome = { kind: 'ignored', hint, readerId: read.readerId };
      this.#events.emit('tap', out);
      return out;
    };
    if (!this.#office.current()) return ignored('no_shift');
    if (this.#open) return ignored('busy');
    if (this.#cart.length === 0) return ignored('cart_empty');

    const card = { technology: read.technology, uid: read.uid };
    const result = found !== undefined ? found : this.#store.roster.lookupCard(read);
    if (isAmbiguous(result)) {
      this.#log.warn(
        { reader: read.readerId, matches: result.ambiguous },
        'till: a card read matches several roster cards; set the reader to the full card number',
      );
    }
    const lookup = foundCard(result);
    const holder = lookup?.holder ?? null;
    const account = holder ? this.#store.roster.account(holder.id) : null;
    const refusal = decideTillTap({
      card: lookup?.card ?? null,
      ambiguous: isAmbiguous(result),
      holder,
      personStatus: lookup?.personStatus ?? null,
      hasAccount: account !== null,
      now: this.#clock.now(),
    });
    if (refusal) return this.#refuse(read, card, refusal, holder);
    if (!lookup || !holder || !account) return this.#refuse(read, card, 'holder_unknown', null);

    const check: PhotoCheck = {
      checkId: uuidv7(),
      readerId: read.readerId,
      tapAt: read.at,
      holder,
      cardStatus: lookup.card.status,
      allergens: account.allergens,
      parentNote: account.parentNote,
      allergyFlag: account.allergens.length > 0,
      lines: this.#cart,
      total: cartTotal(this.#cart),
      noEntryToday: noEntryToday(this.#store, holder, this.#today()),
    };
    this.#open = { check, card };
    this.#events.emit('check', check);
    this.#events.emit('cart', this.cart());
    this.#setDisplay('checking');
    return check;
  }

  #refuse(read: CardRead, card: OpenCheck['card'], reason: TapRefusal, holder: Holder | null): TapOutcome {
    this.#refusal(reason, holder?.id ?? null);
    const out: TapOutcome = { kind: 'refused', reason, holder, card, readerId: read.readerId };
    this.#log.info({ reason, card: cardTag(card), holderId: holder?.id ?? null }, 'tap refused');
    this.#events.emit('tap', out);
    this.#setDisplay('see_cashier');
    return out;
  }

  #refusal(reason: string, holderId: string | null): void {
    this.#store.ledger.addRefusal(this.#office.current()?.shiftId ?? null, new Date(this.#clock.now()).toISOString(), reason, holderId);
  }

  #closeCheck(): void {
    this.#open = null;
    this.#events.emit('check', null);
    this.#events.emit('cart', this.cart());
  }

  /**
   * "This is the child". Idempotent by the renderer's saleId: a second call with the same id (a
   * double click, a retried message) answers with the sale already stored and stores nothing.
   */
  confirm(checkId: string, saleId: string): ConfirmResult {
    const { ledger, outbox, roster, db } = this.#store;
    const existing = ledger.debit(saleId);
    if (existing) return { ok: true, receipt: this.#ledger.receipt(existing) };
    const shift = this.#office.require();
    const open = this.#open;
    if (!open || open.check.checkId !== checkId) throw new DomainError('refused', 'check_gone', 'the photo check is no longer open');
    const { check } = open;
    const account = roster.account(check.holder.id);
    if (!account) {
      this.#closeCheck();
      throw new DomainError('refused', 'check_gone', 'the account disappeared');
    }
    const today = this.#today();
    const offline = !this.#o.isOnline();
    // The whole school's day: the other tills' sales count against the limit and the subsidy too.
    const verdict = evaluateSale(check.lines, { account, ...schoolFigures(this.#store, check.holder.id, today), offline, policy: this.#policy() });
    if (!verdict.ok) {
      this.#refusal(verdict.reason, check.holder.id);
      this.#log.info({ reason: verdict.reason, holderId: check.holder.id, lines: verdict.lines.map((l) => l.itemId) }, 'sale refused');
      this.#closeCheck();
      this.#setDisplay('see_cashier');
      return {
        ok: false,
        reason: verdict.reason,
        lines: verdict.lines,
        // The figures leave the station only where the school lets the cashier show them on request.
        details: this.#store.settings.get().showBalance === 'on_request' ? verdict.details : {},
        total: verdict.total,
        subsidyPart: verdict.subsidyPart,
        accountPart: verdict.accountPart,
      };
    }
    const lines = check.lines;
    const row = db.transaction(() => {
      const ev = outbox.append('sale', {
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
      ledger.addDebit({
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
        offline,
        verified: true,
        lines: JSON.stringify(lines),
      });
      return ledger.debit(saleId)!;
    })();
    this.#cart = [];
    this.#open = null;
    this.#events.emit('check', null);
    this.#events.emit('cart', this.cart());
    this.#setDisplay('paid', lines);
    return { ok: true, receipt: this.#ledger.receipt(row, check.holder) };
  }

  /** "Not this child": its own event; nothing is charged and the cart stays for the right child. */
  reject(checkId: string, saleId: string): void {
    const shift = this.#office.require();
    const open = this.#open;
    if (!open || open.check.checkId !== checkId) throw new DomainError('refused', 'check_gone', 'the photo check is no longer open');
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
    this.#log.info({ holderId: open.check.holder.id, card: cardTag(open.card) }, 'not this child');
    this.#closeCheck();
    this.#setDisplay('see_cashier');
  }
}
