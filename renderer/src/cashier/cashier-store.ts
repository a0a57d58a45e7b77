import { v7 as uuidv7 } from 'uuid';
import { create } from 'zustand';
import type { CashierCart, ConfirmResult, MenuView, PhotoCheck, Receipt, ShiftInfo, ShiftReport, TapOutcome } from '../../../common/contract/cashier.ts';
import { playTone } from './cashier-sound.ts';
import { rememberPortrait } from '../portraits.ts';
import { bridgeError, station } from '../station-client.ts';

type Refused = Extract<ConfirmResult, { ok: false }>;

/** What the till shows over the menu and cart: at most one of these at a time. */
export type TillNotice =
  | { kind: 'tap'; outcome: Extract<TapOutcome, { kind: 'refused' }> }
  | { kind: 'hint'; hint: Extract<TapOutcome, { kind: 'ignored' }>['hint'] }
  /** A card answered the reader with an error (GET DATA failed): ask for the card again. */
  | { kind: 'misread' }
  | { kind: 'refused'; result: Refused; check: PhotoCheck }
  | { kind: 'rejected' }
  | { kind: 'receipt'; receipt: Receipt }
  | { kind: 'error'; reason: string };

interface CashierState {
  loaded: boolean;
  shift: ShiftInfo | null;
  cart: CashierCart;
  check: PhotoCheck | null;
  /** The sale id for the open check: generated here once, so a double click is one sale. */
  saleId: string | null;
  menu: MenuView | null;
  notice: TillNotice | null;
  report: ShiftReport | null;
  busy: boolean;
  load(): Promise<void>;
  add(itemId: string): Promise<void>;
  setQuantity(itemId: string, quantity: number): Promise<void>;
  remove(itemId: string): Promise<void>;
  clear(): Promise<void>;
  confirm(): Promise<void>;
  reject(): Promise<void>;
  dismiss(): void;
  setReport(report: ShiftReport | null): void;
}

const emptyCart: CashierCart = { lines: [], total: 0, locked: false };

/** The reason code a refused bridge request carries (translated under cashier:errors). */
export function errorReason(err: unknown): string {
  const e = bridgeError(err);
  return e.reason ?? e.code;
}

export const useCashier = create<CashierState>()((set, get) => {
  const cartCall = async (fn: () => Promise<CashierCart>) => {
    try {
      set({ cart: await fn(), notice: get().notice?.kind === 'receipt' ? null : get().notice });
    } catch (err) {
      set({ notice: { kind: 'error', reason: errorReason(err) } });
    }
  };
  return {
    loaded: false,
    shift: null,
    cart: emptyCart,
    check: null,
    saleId: null,
    menu: null,
    notice: null,
    report: null,
    busy: false,
    load: async () => {
      const [state, menu] = await Promise.all([station.invoke('cashier.state', {}), station.invoke('cashier.menu', {})]);
      set({ loaded: true, shift: state.shift, cart: state.cart, check: state.check, saleId: state.check ? uuidv7() : null, menu });
    },
    add: (itemId) => cartCall(() => station.invoke('cashier.cart.add', { itemId })),
    setQuantity: (itemId, quantity) => cartCall(() => station.invoke('cashier.cart.setQuantity', { itemId, quantity })),
    remove: (itemId) => cartCall(() => station.invoke('cashier.cart.remove', { itemId })),
    clear: () => cartCall(() => station.invoke('cashier.cart.clear', {})),
    confirm: async () => {
      const { check, saleId } = get();
      if (!check || !saleId) return;
      set({ busy: true });
      try {
        const result = await station.invoke('cashier.confirm', { checkId: check.checkId, saleId });
        if (result.ok) {
          playTone('paid');
          set({ notice: { kind: 'receipt', receipt: result.receipt }, check: null, saleId: null });
        } else {
          playTone('deny');
          set({ notice: { kind: 'refused', result, check }, check: null, saleId: null });
        }
      } catch (err) {
        set({ notice: { kind: 'error', reason: errorReason(err) } });
      } finally {
        set({ busy: false });
      }
    },
    reject: async () => {
      const { check, saleId } = get();
      if (!check || !saleId) return;
      set({ busy: true });
      try {
        await station.invoke('cashier.reject', { checkId: check.checkId, saleId });
        set({ notice: { kind: 'rejected' }, check: null, saleId: null });
      } catch (err) {
        set({ notice: { kind: 'error', reason: errorReason(err) } });
      } finally {
        set({ busy: false });
      }
    },
    dismiss: () => set({ notice: null }),
    setReport: (report) => set({ report }),
  };
});

/** Shows a short notice that goes away by itself after 4 s; anything shown since stays. */
function showBriefly(notice: TillNotice): void {
  useCashier.setState({ notice });
  setTimeout(() => {
    if (useCashier.getState().notice === notice) useCashier.setState({ notice: null });
  }, 4000);
}

/** Follows the station's cashier events; call once. Reads the current state after subscribing. */
export function connectCashierStore(): () => void {
  const offs = [
    station.on('cashier.cart', (cart) => useCashier.setState({ cart })),
    station.on('cashier.shift', (shift) => {
      useCashier.setState({ shift });
      if (shift) void station.invoke('cashier.menu', {}).then((menu) => useCashier.setState({ menu }));
    }),
    station.on('cashier.check', (check) => {
      const prev = useCashier.getState().check;
      if (check && check.checkId !== prev?.checkId) {
        if (check.portrait && check.holder.photoHash) rememberPortrait(check.holder.photoHash, check.portrait);
        playTone(check.allergyFlag ? 'allergy' : 'check');
        useCashier.setState({ check, saleId: uuidv7(), notice: null });
      } else if (!check) useCashier.setState({ check: null });
    }),
    station.on('cashier.tap', (outcome) => {
      if (outcome.kind === 'refused') {
        playTone('deny');
        useCashier.setState({ notice: { kind: 'tap', outcome } });
      } else if (!useCashier.getState().check) showBriefly({ kind: 'hint', hint: outcome.hint });
    }),
    // "Tap again": never over an open photo check or a refusal the cashier has not acknowledged yet.
    station.on('reader.misread', () => {
      const { check, notice } = useCashier.getState();
      if (check || notice?.kind === 'tap' || notice?.kind === 'refused' || notice?.kind === 'rejected') return;
      showBriefly({ kind: 'misread' });
    }),
  ];
  void useCashier.getState().load();
  return () => {
    for (const off of offs) off();
  };
}
