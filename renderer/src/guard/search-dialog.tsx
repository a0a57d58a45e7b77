import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonFound, SpareCardView } from '../../../common/contract/index.ts';
import { MANUAL_OPEN_REASONS, type Direction, type ManualOpenReason } from '../../../common/guard-rules.ts';
import { Modal } from '../components/modal.tsx';
import { Photo } from '../components/photo.tsx';
import { station } from '../station-client.ts';
import { useErrorText } from './guard-errors.ts';
import { OperatorPin, useOperatorPin } from './operator-pin.tsx';
import { useSchoolTime } from '../shell/school-time.ts';

/** Search by name or class with photos; then let through once (manual open) or hand out a spare card. */
export function SearchDialog({ purpose, onClose }: { purpose: 'search' | 'spare'; onClose: () => void }) {
  const { t } = useTranslation('guard');
  const schoolTime = useSchoolTime();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const [people, setPeople] = useState<PersonFound[]>([]);
  const [chosen, setChosen] = useState<PersonFound | null>(null);
  const [anonymous, setAnonymous] = useState(false);
  const [direction, setDirection] = useState<Direction>('in');
  const [reason, setReason] = useState<ManualOpenReason>('forgot_card');
  const [note, setNote] = useState('');
  /** null until the stock is loaded (so an empty stock is not announced before it is known). */
  const [spares, setSpares] = useState<SpareCardView[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const op = useOperatorPin();

  useEffect(() => {
    if (query.trim() === '') return;
    let live = true;
    const timer = setTimeout(() => {
      station
        .invoke('guard.search', { query, limit: 30 })
        .then((r) => live && setPeople(r.people))
        .catch((err: unknown) => live && setError(errorText(err)));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadSpares = () =>
    void station
      .invoke('guard.spareCards', {})
      .then((r) => setSpares(r.cards))
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => {
    if (purpose === 'spare') loadSpares();
  }, [purpose]); // eslint-disable-line react-hooks/exhaustive-deps

  const open = async () => {
    setError(null);
    try {
      const { pass } = await station.invoke('guard.manualOpen', {
        direction,
        reason,
        note,
        holderKind: chosen?.kind ?? null,
        holderId: chosen?.id ?? null,
        ...op.input(),
      });
      op.setPin('');
      setMessage(pass.gate === 'not_opened' ? t('manual.notOpened') : t('manual.done', { dir: t(`direction.${direction}`) }));
      setChosen(null);
      setAnonymous(false);
      setNote('');
    } catch (err) {
      setError(errorText(err));
    }
  };

  const bind = async (card: SpareCardView) => {
    if (!chosen) return;
    setError(null);
    try {
      const r = await station.invoke('guard.bindSpareCard', {
        card: { technology: card.technology, uid: card.uid },
        holderKind: chosen.kind,
        holderId: chosen.id,
        ...op.input(),
      });
      op.setPin('');
      const until = schoolTime(r.validUntil, { hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
      setMessage(t('spare.bound', { label: card.label || card.printed, until }));
      setChosen(null);
      loadSpares();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const giveBack = async (card: SpareCardView) => {
    setError(null);
    try {
      await station.invoke('guard.returnSpareCard', { card: { technology: card.technology, uid: card.uid }, ...op.input() });
      op.setPin('');
      loadSpares();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const showManual = purpose === 'search' && (chosen || anonymous);
  const shown = query.trim() === '' ? [] : people;
  return (
    <Modal title={purpose === 'spare' ? t('spare.title') : t('search.title')} onClose={onClose} testId={`guard-dialog-${purpose}`}>
      {message ? (
        <p className="g-ok" role="status" data-testid="guard-dialog-message">
          {message}
        </p>
      ) : null}
      {error ? (
        <p className="g-error" role="alert">
          {error}
        </p>
      ) : null}
      {!chosen ? (
        <>
          <input
            className="g-input"
            autoFocus
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={purpose === 'spare' ? t('spare.pickPerson') : t('search.placeholder')}
            aria-label={t('search.placeholder')}
            data-testid="guard-search-input"
          />
          {query.trim() && shown.length === 0 ? <p className="g-muted">{t('search.empty')}</p> : null}
          <ul className="g-people">
            {shown.map((p) => (
              <li key={`${p.kind}:${p.id}`}>
                <button type="button" className="g-person" onClick={() => setChosen(p)} data-testid="guard-person">
                  <Photo hash={p.photoHash} alt={p.fullName} size="thumb" />
                  <span>
                    <strong>{p.fullName}</strong>
                    <small>
                      {p.group} · {t(`search.${p.whereabouts}`)}
                      {p.status !== 'active' ? ` · ${t(`search.status.${p.status}`)}` : ''}
                      {p.spareCard ? ` · ${t('search.hasSpare', { label: p.spareCard.label })}` : ''}
                    </small>
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {purpose === 'search' && !anonymous ? (
            <button type="button" className="btn" onClick={() => setAnonymous(true)}>
              {t('manual.nobody')}
            </button>
          ) : null}
        </>
      ) : (
        <div className="g-chosen">
          <Photo hash={chosen.photoHash} alt={chosen.fullName} />
          <div>
            <h3 data-testid="guard-chosen">{chosen.fullName}</h3>
            <p>{chosen.group}</p>
            <button type="button" className="btn btn-ghost" onClick={() => setChosen(null)}>
              ← {t('cancel')}
            </button>
          </div>
        </div>
      )}
      {showManual ? (
        <form
          className="g-form"
          onSubmit={(e) => {
            e.preventDefault();
            void open();
          }}
        >
          <p>{chosen ? t('manual.who', { name: chosen.fullName }) : t('manual.nobody')}</p>
          <fieldset>
            <legend>{t('manual.direction')}</legend>
            {(['in', 'out'] as const).map((d) => (
              <label key={d} className="g-choice">
                <input type="radio" name="dir" checked={direction === d} onChange={() => setDirection(d)} /> {t(`direction.${d}`)}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('manual.reason')}</legend>
            {MANUAL_OPEN_REASONS.map((r) => (
              <label key={r} className="g-choice">
                <input type="radio" name="reason" checked={reason === r} onChange={() => setReason(r)} data-testid={`manual-reason-${r}`} /> {t(`reason.${r}`)}
              </label>
            ))}
          </fieldset>
          <label className="g-field">
            {t('manual.note')}
            <input className="g-input" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} data-testid="manual-note" />
          </label>
          <OperatorPin op={op} />
          <button type="submit" className="btn btn-primary" disabled={!op.ready} data-testid="manual-open">
            {t('manual.open')}
          </button>
        </form>
      ) : null}
      {purpose === 'spare' ? (
        <section className="g-spares">
          <OperatorPin op={op} />
          <h3>{t('spare.pickCard')}</h3>
          {spares?.length === 0 ? (
            <p className="g-spare-empty" role="status" data-testid="spare-stock-empty">
              <strong>{t('spare.emptyStock')}</strong> {t('spare.emptyStockHint')}
            </p>
          ) : spares && spares.every((s) => s.boundTo) ? (
            <p className="g-muted">{t('spare.none')}</p>
          ) : null}
          <ul>
            {(spares ?? [])
              .filter((s) => !s.boundTo)
              .map((s) => (
                <li key={s.uid}>
                  <button type="button" className="btn" disabled={!chosen || !op.ready} onClick={() => void bind(s)} data-testid="spare-card">
                    {s.label || s.printed} · {t('spare.bind')}
                  </button>
                </li>
              ))}
          </ul>
          {spares?.some((s) => s.boundTo) ? <h3>{t('spare.inUse')}</h3> : null}
          <ul>
            {(spares ?? [])
              .filter((s) => s.boundTo)
              .map((s) => (
                <li key={s.uid} className="g-spare-used">
                  {s.label || s.printed}: {s.boundTo?.fullName} ({s.boundTo?.group}){' '}
                  <button type="button" className="btn" disabled={!op.ready} onClick={() => void giveBack(s)}>
                    {t('spare.return')}
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ) : null}
    </Modal>
  );
}
