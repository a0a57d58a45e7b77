import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerDisplay as DisplayState } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { listenCustomerView } from './customer-client.ts';
// The verdict colours are the till's.
import '../cashier/cashier.css';
import './customer.css';

const CLOSED: DisplayState = { state: 'closed', lines: [], total: 0 };

/**
 * The screen turned to the queue (a second window in Electron, `/customer` in the browser host): the
 * cart, the total and "paid" / "see the cashier". It has its own channel to the station, which sends
 * only that projection (common/contract/customer.ts) and refuses any request, so it cannot show a
 * name, a balance or a reason, nor change anything.
 */
export function CustomerDisplayPage() {
  const { t, i18n } = useTranslation('cashier');
  const [state, setState] = useState<DisplayState>(CLOSED);
  useEffect(
    () =>
      listenCustomerView((view) => {
        setState(view?.display ?? CLOSED);
        if (view && i18n.language !== view.locale) void i18n.changeLanguage(view.locale);
      }),
    [i18n],
  );

  const banner =
    state.state === 'paid'
      ? { cls: 'verdict-allow', text: `✔ ${t('display.paid')}` }
      : state.state === 'see_cashier'
        ? { cls: 'verdict-warn', text: `ℹ ${t('display.seeCashier')}` }
        : state.state === 'checking'
          ? { cls: '', text: t('display.checking') }
          : null;
  return (
    <main className="customer-display" data-testid="customer-display" data-state={state.state}>
      {state.state === 'closed' ? <p className="customer-idle">{t('display.closed')}</p> : null}
      {state.state === 'idle' ? <p className="customer-idle">{t('display.welcome')}</p> : null}
      {state.lines.length > 0 ? (
        <ul className="customer-lines">
          {state.lines.map((l, i) => (
            <li key={i}>
              <span>
                {l.name} × {l.quantity}
              </span>
              <span>{formatMoney(l.amount)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {state.lines.length > 0 ? (
        <p className="customer-total">
          <span>{t('display.total')}</span>
          <strong data-testid="customer-total">{formatMoney(state.total)}</strong>
        </p>
      ) : null}
      {banner ? (
        <p className={`customer-banner verdict ${banner.cls}`} data-testid="customer-banner">
          {banner.text}
        </p>
      ) : null}
    </main>
  );
}
