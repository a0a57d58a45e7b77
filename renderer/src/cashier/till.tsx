import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MenuItem } from '../../../common/domain.ts';
import { formatMoney } from '../../../common/money.ts';
import { Photo } from '../components/photo.tsx';
import { useApp } from '../shell/app-store.ts';
import { useCashierErrorText } from './cashier-errors.ts';
import { useCashier, type TillNotice } from './cashier-store.ts';
import { SaleRefusal } from './sale-refusal.tsx';

/** Menu by category, cart, and the photo check / refusal / receipt over them. */
export function Till() {
  const check = useCashier((s) => s.check);
  const notice = useCashier((s) => s.notice);
  return (
    <div className="till" data-testid="till">
      <MenuPanel />
      <CartPanel />
      {check ? <PhotoCheckPanel /> : notice ? <Notice notice={notice} /> : null}
    </div>
  );
}

function MenuPanel() {
  const { t } = useTranslation('cashier');
  const menu = useCashier((s) => s.menu);
  const add = useCashier((s) => s.add);
  const locked = useCashier((s) => s.cart.locked);
  const [category, setCategory] = useState<string | null>(null);
  if (!menu) return <section className="menu-panel" />;
  const categories = [...new Set(menu.items.map((i) => i.category))];
  const shown = category ? menu.items.filter((i) => i.category === category) : menu.items;
  const byCategory = new Map<string, MenuItem[]>();
  for (const i of shown) byCategory.set(i.category, [...(byCategory.get(i.category) ?? []), i]);
  return (
    <section className="menu-panel" aria-label={t('menu.title')} data-testid="menu">
      {menu.skipped.length > 0 ? <p className="notice notice-warn">{t('menu.skipped', { count: menu.skipped.length })}</p> : null}
      {menu.items.length === 0 ? <p className="notice notice-warn">{t('menu.empty')}</p> : null}
      <div className="category-tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={category === null}
          className={`btn ${category === null ? 'selected' : ''}`}
          onClick={() => setCategory(null)}
        >
          {t('menu.all')}
        </button>
        {categories.map((c) => (
          <button
            key={c}
            type="button"
            role="tab"
            aria-selected={category === c}
            className={`btn ${category === c ? 'selected' : ''}`}
            onClick={() => setCategory(c)}
          >
            {c}
          </button>
        ))}
      </div>
      {[...byCategory].map(([c, items]) => (
        <div key={c} className="menu-category">
          <h3>{c}</h3>
          <div className="menu-items">
            {items.map((i) => (
              <button key={i.id} type="button" className={`menu-item menu-${i.kind}`} disabled={locked} onClick={() => void add(i.id)} data-item={i.id}>
                <span className="menu-item-name">{i.name}</span>
                <span className="menu-item-price">{formatMoney(i.price)}</span>
                {i.allergens.length ? <small className="menu-item-allergens">{i.allergens.join(', ')}</small> : null}
              </button>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

function CartPanel() {
  const { t } = useTranslation('cashier');
  const { t: tc } = useTranslation();
  const cart = useCashier((s) => s.cart);
  const connected = useApp((s) => s.connected);
  const { setQuantity, remove, clear } = useCashier.getState();
  return (
    <section className="cart-panel" aria-label={t('cart.title')} data-testid="cart">
      <h2>{t('cart.title')}</h2>
      {cart.lines.length === 0 ? <p className="muted">{t('cart.empty')}</p> : null}
      <ul className="cart-lines">
        {cart.lines.map((l) => (
          <li key={l.itemId} className="cart-line" data-item={l.itemId}>
            <span className="cart-line-name">{l.name}</span>
            <span className="cart-qty">
              <button
                type="button"
                className="btn qty-btn"
                disabled={cart.locked}
                aria-label={t('cart.less', { name: l.name })}
                onClick={() => void setQuantity(l.itemId, l.quantity - 1)}
              >
                −
              </button>
              <span className="qty" data-testid="qty">
                {l.quantity}
              </span>
              <button
                type="button"
                className="btn qty-btn"
                disabled={cart.locked}
                aria-label={t('cart.more', { name: l.name })}
                onClick={() => void setQuantity(l.itemId, l.quantity + 1)}
              >
                +
              </button>
            </span>
            <span className="cart-line-sum">{formatMoney(l.price * l.quantity)}</span>
            <button
              type="button"
              className="btn btn-ghost qty-btn"
              disabled={cart.locked}
              aria-label={t('cart.remove', { name: l.name })}
              onClick={() => void remove(l.itemId)}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <p className="cart-total">
        <span>{t('cart.total')}</span>
        <strong data-testid="cart-total">{formatMoney(cart.total)}</strong>
      </p>
      {cart.lines.length > 0 ? (
        <>
          <p className="tap-hint">{connected ? t('cart.tapHint') : tc('status.connectionLost')}</p>
          <button type="button" className="btn" disabled={cart.locked} onClick={() => void clear()}>
            {t('cart.clear')}
          </button>
        </>
      ) : null}
    </section>
  );
}

function PhotoCheckPanel() {
  const { t } = useTranslation('cashier');
  const { t: ts } = useTranslation('school');
  const check = useCashier((s) => s.check)!;
  const busy = useCashier((s) => s.busy);
  const { confirm, reject } = useCashier.getState();
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={t('check.title')} data-testid="photo-check">
      <div className={`check-card ${check.allergyFlag ? 'check-allergy' : ''}`}>
        <Photo hash={check.holder.photoHash} alt={check.holder.fullName} />
        <div className="check-who">
          <p className="muted">{t('check.title')}</p>
          <h1 data-testid="check-name">{check.holder.fullName}</h1>
          <p className="holder-group">{check.holder.group}</p>
          {check.cardStatus === 'temporary' ? <p className="notice notice-warn">{t('check.temporary')}</p> : null}
          {check.allergyFlag ? (
            <p className="notice notice-deny allergy-flag" role="alert" data-testid="allergy-flag">
              ⚠ {t('check.allergy', { list: check.allergens.join(', ') })}
            </p>
          ) : null}
          {check.parentNote ? <p className="notice notice-warn parent-note">✎ {t('check.note', { note: check.parentNote })}</p> : null}
          {check.noEntryToday ? (
            <p className="g-muted check-no-entry" data-testid="check-no-entry">
              {ts('noEntryToday')}
            </p>
          ) : null}
          <SaleLines lines={check.lines} total={check.total} />
          <div className="check-actions">
            <button type="button" className="btn btn-allow btn-big" disabled={busy} onClick={() => void confirm()} data-testid="confirm">
              ✔ {t('check.confirm')}
            </button>
            <button type="button" className="btn btn-danger btn-big" disabled={busy} onClick={() => void reject()} data-testid="reject">
              ✖ {t('check.reject')}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}

function Notice({ notice }: { notice: TillNotice }) {
  const { t } = useTranslation('cashier');
  const errorText = useCashierErrorText();
  const { t: tHardware } = useTranslation('hardware');
  const dismiss = useCashier((s) => s.dismiss);
  const ok = (
    <button type="button" className="btn btn-primary btn-big" onClick={dismiss} data-testid="notice-ok" autoFocus>
      {t('refusal.ok')}
    </button>
  );
  switch (notice.kind) {
    case 'hint':
      return (
        <Toast tone="notice-warn" role="status" testId="tap-hint" onDismiss={dismiss}>
          ℹ {t(`hint.${notice.hint}`)}
        </Toast>
      );
    case 'misread':
      return (
        <Toast tone="notice-warn" role="status" testId="tap-misread" onDismiss={dismiss}>
          ⚠ {tHardware('misread')}
        </Toast>
      );
    case 'error':
      return (
        <Toast tone="notice-deny" role="alert" testId="till-error" onDismiss={dismiss}>
          ✖ {errorText(notice.reason)}
        </Toast>
      );
    case 'rejected':
      return (
        <div className="overlay" role="alert" data-testid="refusal">
          <div className="verdict verdict-deny">
            <p className="verdict-word">✖ {t('refusal.not_this_child')}</p>
            {ok}
          </div>
        </div>
      );
    case 'tap': {
      const { outcome } = notice;
      return (
        <div className="overlay" role="alert" data-testid="refusal">
          <div className="verdict verdict-deny">
            {outcome.holder ? <Photo hash={outcome.holder.photoHash} alt={outcome.holder.fullName} size="thumb" /> : null}
            <h2>✖ {t('tapRefusal.title')}</h2>
            <p className="verdict-word" data-reason={outcome.reason}>
              {t(`tapRefusal.${outcome.reason}`)}
            </p>
            {outcome.holder ? (
              <p>
                {outcome.holder.fullName}, {outcome.holder.group}
              </p>
            ) : null}
            {ok}
          </div>
        </div>
      );
    }
    case 'refused':
      return <SaleRefusal result={notice.result} check={notice.check} ok={ok} />;
    case 'receipt': {
      const r = notice.receipt;
      return (
        <div className="overlay" role="status" data-testid="receipt">
          <div className="verdict verdict-allow receipt">
            <h2 className="verdict-word">✔ {t('receipt.title')}</h2>
            <p>
              {r.holder.fullName}, {r.holder.group}
            </p>
            <SaleLines lines={r.lines} total={r.total} totalTestId="receipt-total" />
            {r.subsidyPart > 0 ? (
              <p data-testid="receipt-subsidy">
                {t('receipt.subsidy')}: {formatMoney(r.subsidyPart)}
              </p>
            ) : null}
            <p data-testid="receipt-account">
              {t('receipt.account')}: {formatMoney(r.accountPart)}
            </p>
            {r.offline ? <p className="notice notice-warn">{t('receipt.offline')}</p> : null}
            <div className="row no-print">
              <button type="button" className="btn" onClick={() => window.print()}>
                {t('receipt.print')}
              </button>
              <button type="button" className="btn btn-primary btn-big" onClick={dismiss} data-testid="next-customer" autoFocus>
                {t('receipt.next')}
              </button>
            </div>
          </div>
        </div>
      );
    }
  }
}

/** The lines of a sale with their sums and the total, as the photo check and the receipt show them. */
function SaleLines({
  lines,
  total,
  totalTestId,
}: {
  lines: readonly { itemId: string; name: string; price: number; quantity: number }[];
  total: number;
  totalTestId?: string;
}) {
  const { t } = useTranslation('cashier');
  return (
    <>
      <ul className="check-lines">
        {lines.map((l) => (
          <li key={l.itemId}>
            {l.name} × {l.quantity} — {formatMoney(l.price * l.quantity)}
          </li>
        ))}
      </ul>
      <p className="cart-total">
        <span>{t('cart.total')}</span>
        <strong data-testid={totalTestId}>{formatMoney(total)}</strong>
      </p>
    </>
  );
}

/** A small dismissible message over the till (hints, misreads, errors). */
function Toast({
  tone,
  role,
  testId,
  onDismiss,
  children,
}: {
  tone: string;
  role: 'status' | 'alert';
  testId: string;
  onDismiss: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className={`toast notice ${tone}`} role={role} data-testid={testId}>
      {children}
      <button type="button" className="btn btn-ghost" onClick={onDismiss} aria-label={t('nav.close')}>
        ✕
      </button>
    </div>
  );
}
