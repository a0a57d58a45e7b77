import type { CardRead } from '../../common/readers.ts';
import { type Router } from '../../common/contract/router.ts';
import { DomainError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { StaffPins } from '../staff-pin.ts';
import type { CardFound } from '../store/roster.ts';
import { Cashier } from './cashier.ts';

export interface CashierWiring {
  /** A card on a reader whose role is 'cashier'. */
  /** `found` is the station's one lookup of this card. */
  onCard(read: CardRead, found?: CardFound): void;
  /** The service for the current store (null while the store is in a fault). */
  current(): Cashier | null;
}

/**
 * Registers the cashier's bridge handlers and forwards its events. The store can be replaced (IT starts
 * empty after a fault), so the service is rebuilt whenever the store it was built on is gone.
 */
export function wireCashier(
  router: Router,
  deps: {
    store: () => Store | null;
    clock: Clock;
    log: Logger;
    isOnline: () => boolean;
    exportDir: string;
    /** The portrait with this hash as a data URL for the check's event (see PhotoStore.dataUrl). */
    portrait?: (hash: string) => string | null;
    /** The station's one PIN check for this store (core/staff-pin.ts). */
    pins?: (store: Store) => StaffPins;
  },
): CashierWiring {
  let built: { store: Store; cashier: Cashier } | null = null;
  const log = deps.log.child({ area: 'cashier' });

  const current = (): Cashier | null => {
    const store = deps.store();
    if (!store) return null;
    if (built?.store === store) return built.cashier;
    const cashier = new Cashier({
      store,
      clock: deps.clock,
      isOnline: deps.isOnline,
      exportDir: deps.exportDir,
      log,
      ...(deps.pins ? { pins: deps.pins(store) } : {}),
    });
    cashier.on('cart', (c) => router.publish('cashier.cart', c));
    cashier.on('check', (c) => {
      const hash = c?.holder.photoHash ?? null;
      router.publish('cashier.check', c && hash && deps.portrait ? { ...c, portrait: deps.portrait(hash) } : c);
    });
    cashier.on('tap', (t) => router.publish('cashier.tap', t));
    cashier.on('display', (d) => router.publish('cashier.display', d));
    cashier.on('shift', (s) => router.publish('cashier.shift', s));
    built = { store, cashier };
    return cashier;
  };

  const run = <T>(fn: (c: Cashier) => T): T => {
    const c = current();
    if (!c) throw new DomainError('unavailable', 'store_unavailable', 'the station database is not available');
    return fn(c);
  };

  router.handle('cashier.state', () => run((c) => c.state()));
  router.handle('cashier.staff', () => run((c) => c.staff()));
  router.handle('cashier.menu', () => run((c) => c.menu()));
  router.handle('cashier.openShift', ({ staffId, pin }) => run((c) => c.openShift(staffId, pin)));
  router.handle('cashier.cart.add', ({ itemId }) => run((c) => c.addToCart(itemId)));
  router.handle('cashier.cart.setQuantity', ({ itemId, quantity }) => run((c) => c.setQuantity(itemId, quantity)));
  router.handle('cashier.cart.remove', ({ itemId }) => run((c) => c.removeFromCart(itemId)));
  router.handle('cashier.cart.clear', () => run((c) => c.clearCart()));
  router.handle('cashier.confirm', ({ checkId, saleId }) => run((c) => c.confirm(checkId, saleId)));
  router.handle('cashier.reject', ({ checkId, saleId }) =>
    run((c) => {
      c.reject(checkId, saleId);
      return { ok: true as const };
    }),
  );
  router.handle('cashier.sales', ({ limit }) => run((c) => c.sales(limit)));
  router.handle('cashier.void', ({ saleId, supervisorPin, reason }) => run((c) => c.voidSale(saleId, supervisorPin, reason)));
  router.handle('cashier.classes', () => run((c) => c.classes()));
  router.handle('cashier.schoolFigures', ({ holderId }) => run((c) => c.schoolFigures(holderId)));
  router.handle('cashier.classStudents', ({ className }) => run((c) => c.classStudents(className)));
  router.handle('cashier.groupMealsToday', ({ className }) => run((c) => c.groupMealsToday(className)));
  router.handle('cashier.groupMeal', (input) => run((c) => c.groupMeal(input)));
  router.handle('cashier.closeShift', ({ override }) => run((c) => c.closeShift(override)));
  router.handle('cashier.display', () => run((c) => c.display()));

  return {
    current,
    onCard: (read, found) => {
      try {
        current()?.onCard(read, found);
      } catch (err) {
        log.error({ err, reader: read.readerId }, 'cashier: tap failed');
      }
    },
  };
}
