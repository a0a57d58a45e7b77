import { CustomerView, type CustomerMessage } from '../../common/contract/customer.ts';
import type { CustomerDisplay } from '../../common/contract/cashier.ts';
import type { ServerMessage } from '../../common/contract/index.ts';
import type { Locale, Settings } from '../../common/settings.ts';
import type { Logger } from '../../common/logger.ts';
import type { Router } from '../../common/contract/router.ts';

const CLOSED: CustomerDisplay = { state: 'closed', lines: [], total: 0 };

export interface CustomerChannel {
  /** A message from the customer display: always refused (it has nothing to ask). */
  receive(raw: unknown): void;
  close(): void;
}

/**
 * The customer display's side of the station (see common/contract/customer.ts): it is sent the
 * projection (the till's display state and the station's language) when it connects and whenever that
 * changes, parsed through `CustomerView` so nothing else can ride along. It never sees the router's
 * events and its requests never reach a handler.
 */
export function serveCustomerChannel(router: Router, send: (msg: CustomerMessage) => void, log: Logger): CustomerChannel {
  let display: CustomerDisplay = CLOSED;
  let locale: Locale = 'ru';
  let last = '';
  let closed = false;
  let refusals = 0;
  /** A display (or settings) event came before the first read answered: that read is older. */
  let heard = false;
  let heardLocale = false;

  const push = (): void => {
    if (closed) return;
    const view = CustomerView.safeParse({ display, locale });
    if (!view.success) {
      log.error({ issue: view.error.issues[0]?.path.join('.') }, 'customer display: projection breaks the contract; not sent');
      return;
    }
    const text = JSON.stringify(view.data);
    if (text === last) return;
    last = text;
    send({ t: 'evt', name: 'customer.view', payload: view.data });
  };

  // The channel asks the router itself (the display cannot): the same handlers the till uses.
  const ask = async (name: 'cashier.display' | 'settings.get'): Promise<unknown> => {
    const reply = await router.dispatch({ t: 'req', id: 0, name, input: {} });
    return reply.t === 'res' && reply.ok ? reply.output : null;
  };
  const readLocale = async (): Promise<void> => {
    const settings = (await ask('settings.get')) as { locale?: Locale } | null;
    if (settings?.locale && !heardLocale) locale = settings.locale;
  };

  const unsubscribe = router.subscribe((msg: ServerMessage) => {
    if (msg.t !== 'evt') return;
    if (msg.name === 'cashier.display') {
      heard = true;
      display = msg.payload as CustomerDisplay;
      push();
    } else if (msg.name === 'settings.changed') {
      heardLocale = true;
      locale = (msg.payload as Settings).locale;
      push();
    }
  });

  void Promise.all([ask('cashier.display'), readLocale()]).then(([d]) => {
    if (d && !heard) display = d as CustomerDisplay;
    last = '';
    push();
  });

  return {
    receive(raw) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      if (refusals++ % 100 === 0) log.warn({ refusals }, 'customer display: request refused (the customer display makes no requests)');
      send({ t: 'res', id, ok: false, error: { code: 'refused', message: 'the customer display makes no requests' } });
    },
    close() {
      closed = true;
      unsubscribe();
    },
  };
}
