import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConfirmResult, PhotoCheck } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';

type Refused = Extract<ConfirmResult, { ok: false }>;

/** How long the figures stay on screen after the cashier shows them: long enough to tell the child, no longer. */
export const FIGURES_SHOWN_MS = 10_000;

/**
 * A sale refused after the photo check, on the screen the queue can read: what is wrong and what to do,
 * in words, never a balance. The station sends the figures only where the school lets the cashier show
 * them on request (settings.showBalance); then a button shows them for a few seconds. An allergy says so.
 */
export function SaleRefusal({ result, check, ok }: { result: Refused; check: PhotoCheck; ok: ReactNode }) {
  const { t } = useTranslation('cashier');
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setShown(false), FIGURES_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [shown]);

  const d = result.details;
  // A refusal by money has figures to show; the reason, narrowed so, names their words.
  const figures = result.reason === 'forbidden_items' ? null : result.reason;
  const hasFigures = Object.keys(d).length > 0 && figures !== null;
  const m = (v: number | undefined) => formatMoney(v ?? 0);
  const allergy = result.lines.some((l) => l.allergens.length > 0);
  const categoryOf = (itemId: string) => check.lines.find((l) => l.itemId === itemId)?.category ?? '';
  const word = result.reason === 'forbidden_items' ? (allergy ? t('refusal.allergy') : t('refusal.forbidden_items')) : t(`refusal.${result.reason}`);
  return (
    <div className="overlay" role="alert" data-testid="refusal">
      <div className={`verdict verdict-deny ${allergy ? 'refusal-allergy' : ''}`}>
        <h2>✖ {t('refusal.title')}</h2>
        <p>
          {check.holder.fullName}, {check.holder.group}
        </p>
        <p className="verdict-word" data-reason={result.reason}>
          {allergy ? '⚠ ' : ''}
          {word}
        </p>
        {result.reason !== 'forbidden_items' ? <p data-testid="refusal-todo">{t(`refusal.todo.${result.reason}`)}</p> : null}
        {result.lines.length > 0 ? (
          <ul className="offending-lines" data-testid="offending-lines">
            {result.lines.map((l) => (
              <li key={l.itemId}>
                <strong>{l.name}</strong> —{' '}
                {[
                  l.allergens.length ? t('refusal.allergen', { list: l.allergens.join(', ') }) : null,
                  l.forbiddenCategory ? t('refusal.category', { category: categoryOf(l.itemId) }) : null,
                ]
                  .filter(Boolean)
                  .join('; ')}
              </li>
            ))}
          </ul>
        ) : null}
        {hasFigures && figures && shown ? (
          <p className="refusal-figures" data-testid="refusal-figures">
            {t(`refusal.figures.${figures}`, {
              spent: m(d.spentToday ?? d.offlineSpentToday),
              limit: m(d.dailyLimit),
              available: m(d.available),
              cap: m(d.offlineCap),
              pay: m(result.accountPart),
            })}
          </p>
        ) : null}
        <div className="row">
          {hasFigures && !shown ? (
            <button type="button" className="btn" onClick={() => setShown(true)} data-testid="show-figures">
              {t('refusal.showFigures')}
            </button>
          ) : null}
          {ok}
        </div>
      </div>
    </div>
  );
}
