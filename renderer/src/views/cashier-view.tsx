import { useTranslation } from 'react-i18next';
import { Photo } from '../components/photo.tsx';
import { useApp } from '../store.ts';

/** Canteen cashier: who tapped, for the photo check. Never a balance here. */
export function CashierView() {
  const { t } = useTranslation();
  const last = useApp((s) => s.lastCard);
  return (
    <main className="cashier" data-testid="cashier-view">
      {last?.holder ? (
        <section className="tap-card">
          <Photo hash={last.holder.photoHash} alt={last.holder.fullName} />
          <div className="tap-who">
            <h1>{last.holder.fullName}</h1>
            <p className="holder-group">{last.holder.group}</p>
          </div>
        </section>
      ) : (
        <p className="tap-prompt">{t('card.tapPrompt')}</p>
      )}
    </main>
  );
}
