import { useTranslation } from 'react-i18next';
import { printedForms } from '../../../common/card-id.ts';
import { Photo } from '../components/photo.tsx';
import { useApp } from '../store.ts';

/** Guard post: the last tap, large photo first, then name and class. */
export function GuardView() {
  const { t } = useTranslation();
  const last = useApp((s) => s.lastCard);
  if (!last) {
    return (
      <main className="guard guard-idle" data-testid="guard-view">
        <p className="tap-prompt">{t('card.tapPrompt')}</p>
      </main>
    );
  }
  const { holder, card } = last;
  return (
    <main className="guard" data-testid="guard-view">
      <section className="tap-card" data-testid="last-tap">
        {holder ? <Photo hash={holder.photoHash} alt={holder.fullName} /> : <div className="photo photo-large photo-missing">?</div>}
        <div className="tap-who">
          {holder ? (
            <>
              <h1 data-testid="holder-name">{holder.fullName}</h1>
              <p className="holder-group">{holder.group}</p>
            </>
          ) : (
            <h1>{last.randomUid ? t('card.random') : t('card.unknown', { printed: printedForms(last.read.uid).dec10 })}</h1>
          )}
          {card ? <p className={`card-status card-${card.status}`}>{t(`card.status.${card.status}`)}</p> : null}
        </div>
      </section>
    </main>
  );
}
