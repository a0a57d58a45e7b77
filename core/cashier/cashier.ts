import { EventEmitter } from 'node:events';
import type { SalePolicy } from '../../common/cashier-rules.ts';
import type {
  CashierCart,
  CashierState,
  CloseShiftResult,
  ConfirmResult,
  CustomerDisplay,
  MenuView,
  PhotoCheck,
  Receipt,
  ShiftInfo,
  TapOutcome,
} from '../../common/contract/cashier.ts';
import type { CardRead } from '../../common/readers.ts';
import type { Clock } from '../../common/clock.ts';
import { schoolFigures } from './school-figures.ts';
import type { Store } from '../store/index.ts';
import type { CardFound } from '../store/roster.ts';
import { DomainError } from '../../common/errors.ts';
import type { CashierLog } from './log.ts';
import { Ledger } from './ledger.ts';
import { ShiftOffice } from './shift-office.ts';
import type { StaffPins } from '../staff-pin.ts';
import { Till } from './till.ts';

export type { CashierLog } from './log.ts';

export interface CashierEvents {
  cart: [CashierCart];
  check: [PhotoCheck | null];
  tap: [TapOutcome];
  display: [CustomerDisplay];
  shift: [ShiftInfo | null];
}

export interface CashierDeps {
  store: Store;
  clock: Clock;
  /** The backend answered recently (the sync loop's view). Offline sales are capped per child per day. */
  isOnline: () => boolean;
  /** Where shift reports are exported. */
  exportDir: string;
  /** Defaults to the school's offline cap and subsidy share from the backend (the store's school settings). */
  policy?: () => SalePolicy;
  log?: CashierLog;
  /** The station's one PIN check (core/staff-pin.ts); default: one of the till's own. */
  pins?: StaffPins;
}

const silentLog: CashierLog = { info: () => {}, warn: () => {} };

/**
 * The canteen till: shift, cart, tap → photo check → rules → sale, void, group meal, shift close. Every
 * fact is an outbox event written in the same transaction as the cashier's own rows. This class puts the
 * parts together (till.ts: the counter; ledger.ts: what was charged; shift-office.ts: the shift) and is
 * the one face the bridge handlers see.
 */
export class Cashier extends EventEmitter<CashierEvents> {
  readonly #office: ShiftOffice;
  readonly #ledger: Ledger;
  readonly #till: Till;
  readonly #store: Store;

  constructor(deps: CashierDeps) {
    super();
    const { store, clock, isOnline } = deps;
    this.#store = store;
    const log = deps.log ?? silentLog;
    this.#office = new ShiftOffice({ store, clock, log, exportDir: deps.exportDir, ...(deps.pins ? { pins: deps.pins } : {}) });
    this.#ledger = new Ledger({ store, clock, log, office: this.#office, isOnline });
    this.#till = new Till({
      store,
      clock,
      log,
      office: this.#office,
      ledger: this.#ledger,
      events: this,
      isOnline,
      ...(deps.policy ? { policy: deps.policy } : {}),
    });
  }

  state(): CashierState {
    return { shift: this.#office.current(), cart: this.#till.cart(), check: this.#till.check() };
  }

  display(): CustomerDisplay {
    return this.#till.display();
  }

  menu(): MenuView {
    return this.#till.menu();
  }

  // ── shift ──────────────────────────────────────────────────────────────────────────────────────

  staff(): { id: string; fullName: string; position: string; roles: string[] }[] {
    return this.#office.staff();
  }

  async openShift(staffId: string, pin: string): Promise<ShiftInfo> {
    const shift = await this.#office.open(staffId, pin);
    this.emit('shift', shift);
    this.#till.cartChanged();
    return shift;
  }

  /** Refused while a photo check is open; see ShiftOffice.close for the rest. */
  async closeShift(override?: { supervisorPin: string; reason: string }): Promise<CloseShiftResult> {
    this.#office.require();
    if (this.#till.checking()) throw new DomainError('refused', 'cart_locked', 'a photo check is open');
    const result = await this.#office.close(override);
    if (!result.ok) return result;
    this.#till.reset();
    this.emit('shift', null);
    this.#till.cartChanged();
    return result;
  }

  // ── the counter ────────────────────────────────────────────────────────────────────────────────

  addToCart(itemId: string): CashierCart {
    return this.#till.addToCart(itemId);
  }

  setQuantity(itemId: string, quantity: number): CashierCart {
    return this.#till.setQuantity(itemId, quantity);
  }

  removeFromCart(itemId: string): CashierCart {
    return this.#till.removeFromCart(itemId);
  }

  clearCart(): CashierCart {
    return this.#till.clearCart();
  }

  onCard(read: CardRead, found?: CardFound): TapOutcome | PhotoCheck {
    return this.#till.onCard(read, found);
  }

  confirm(checkId: string, saleId: string): ConfirmResult {
    return this.#till.confirm(checkId, saleId);
  }

  reject(checkId: string, saleId: string): void {
    this.#till.reject(checkId, saleId);
  }

  // ── what was charged ───────────────────────────────────────────────────────────────────────────

  sales(limit: number): Receipt[] {
    return this.#ledger.sales(limit);
  }

  voidSale(saleId: string, supervisorPin: string, reason: string): Promise<Receipt> {
    return this.#ledger.voidSale(saleId, supervisorPin, reason);
  }

  classes(): string[] {
    return this.#ledger.classes();
  }

  /** A child's figures today over the whole school, as the sale rules count them. */
  schoolFigures(holderId: string): { spentToday: number; offlineSpentToday: number; subsidyUsedToday: boolean } {
    const f = schoolFigures(this.#store, holderId, this.#ledger.today());
    return { spentToday: f.spentToday, offlineSpentToday: f.offlineSpentToday, subsidyUsedToday: f.subsidyUsedToday };
  }

  classStudents(className: string): ReturnType<Ledger['classPresence']> {
    return this.#ledger.classPresence(className);
  }

  groupMealsToday(className: string): ReturnType<Ledger['groupMealsToday']> {
    return this.#ledger.groupMealsToday(className);
  }

  groupMeal(input: Parameters<Ledger['groupMeal']>[0]): ReturnType<Ledger['groupMeal']> {
    return this.#ledger.groupMeal(input);
  }
}
