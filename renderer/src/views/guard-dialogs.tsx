import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { InsideList, PersonFound, SpareCardView } from '../../../common/contract/index.ts';
import { MANUAL_OPEN_REASONS, VISITOR_REASONS, type Direction, type ManualOpenReason, type VisitorReason } from '../../../common/guard-rules.ts';
import { Photo } from '../components/photo.tsx';
import { connectGuardDuty, useGuardDuty } from '../guard-duty-store.ts';
import { useGuard } from '../guard-store.ts';
import { bridgeError, station } from '../station-client.ts';
import { PinPad } from './cashier-shift.tsx';

function Modal({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId: string }) {
  const { t } = useTranslation('guard');
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="g-modal-back">
      <div className="g-modal" role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header>
          <h2>{title}</h2>
          <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** Spare-card refusals the guard can act on, said in words rather than as a generic conflict. */
const SPARE_ERRORS = ['spare_not_in_stock', 'spare_already_bound', 'spare_not_bound', 'holder_has_spare'] as const;
const isSpareError = (reason: string): reason is (typeof SPARE_ERRORS)[number] => (SPARE_ERRORS as readonly string[]).includes(reason);

function useErrorText() {
  const { t } = useTranslation();
  const g = useTranslation('guard').t;
  return (err: unknown) => {
    const e = bridgeError(err);
    if (e.reason === 'note_required') return g('manual.noteRequired');
    if (e.reason === 'pin_required' || e.reason === 'pin_wrong' || e.reason === 'pin_locked') return g(`duty.errors.${e.reason}`);
    if (e.code === 'invalid_input' && e.field === 'pin') return g('duty.errors.pin_format');
    if (e.reason && isSpareError(e.reason)) return g(`spare.errors.${e.reason}`);
    return `${t(`errors.${e.code}`, { field: e.field ?? '' })}${e.reason ? ` (${e.reason})` : ''}`;
  };
}

/**
 * The operator of a manual action is the guard on duty (the station knows who). With nobody on duty the
 * dialog asks for a PIN in one field; the action then goes ahead under that person, who is now on duty.
 */
function useOperatorPin() {
  const onDuty = useGuardDuty((s) => s.onDuty);
  const [pin, setPin] = useState('');
  return {
    pin,
    setPin,
    needed: !onDuty,
    /** Ready to send: someone is on duty, or a whole PIN is typed. */
    ready: !!onDuty || pin.length >= 4,
    input: (): { pin?: string } => (onDuty || pin === '' ? {} : { pin }),
  };
}

function OperatorPin({ op }: { op: ReturnType<typeof useOperatorPin> }) {
  const { t } = useTranslation('guard');
  if (!op.needed) return null;
  return (
    <label className="g-field g-operator-pin">
      {t('duty.pinForAction')}
      <input
        className="g-input pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        aria-label={t('duty.pin')}
        value={op.pin}
        onChange={(e) => op.setPin(e.target.value.replace(/\D/g, '').slice(0, 8))}
        data-testid="operator-pin"
      />
    </label>
  );
}

/** Who is on duty, small and out of the children's way; sign in with the personal PIN, sign out. */
export function DutyBadge() {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const { onDuty, known } = useGuardDuty();
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => connectGuardDuty(), []);
  const signOut = async () => {
    setError(null);
    try {
      useGuardDuty.setState(await station.invoke('guard.duty', { action: 'signOut' }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (!known) return null;
  return (
    <div className={`g-duty ${onDuty ? '' : 'g-duty-none'}`} data-testid="guard-duty">
      {onDuty ? (
        <>
          <span className="g-duty-who">
            <small>{t('duty.onDuty')}:</small> <strong data-testid="guard-duty-name">{onDuty.fullName}</strong>{' '}
            <small data-testid="guard-duty-position">{onDuty.position}</small>
          </span>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()} data-testid="guard-sign-out">
            {t('duty.signOut')}
          </button>
        </>
      ) : (
        <>
          <span className="g-duty-who">{t('duty.nobody')}</span>
          <button type="button" className="btn" onClick={() => setSigningIn(true)} data-testid="guard-sign-in">
            {t('duty.signIn')}
          </button>
        </>
      )}
      {error ? <p className="g-error">{error}</p> : null}
      {signingIn ? <SignInDialog onClose={() => setSigningIn(false)} /> : null}
    </div>
  );
}

function SignInDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    try {
      useGuardDuty.setState({ ...(await station.invoke('guard.duty', { action: 'signIn', pin })), known: true });
      onClose();
    } catch (err) {
      setError(errorText(err));
      setPin('');
    }
  };
  return (
    <Modal title={t('duty.signIn')} onClose={onClose} testId="guard-dialog-sign-in">
      <form
        className="g-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="g-muted">{t('duty.hint')}</p>
        <PinPad value={pin} onChange={setPin} label={t('duty.pin')} testId="guard-pin" />
        {error ? (
          <p className="g-error" role="alert" data-testid="guard-sign-in-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={pin.length < 4} data-testid="guard-sign-in-confirm">
          {t('duty.confirm')}
        </button>
      </form>
    </Modal>
  );
}

/** Search by name or class with photos; then let through once (manual open) or hand out a spare card. */
export function SearchDialog({ purpose, onClose }: { purpose: 'search' | 'spare'; onClose: () => void }) {
  const { t, i18n } = useTranslation('guard');
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
      const until = new Date(r.validUntil).toLocaleString(i18n.language, { hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
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

export function VisitorDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('guard');
  const errorText = useErrorText();
  const [name, setName] = useState('');
  const [reason, setReason] = useState<VisitorReason>('parent');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const op = useOperatorPin();
  const submit = async () => {
    try {
      await station.invoke('guard.visitorPass', { visitorName: name, reason, note, ...op.input() });
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <Modal title={t('visitor.title')} onClose={onClose} testId="guard-dialog-visitor">
      {error ? <p className="g-error">{error}</p> : null}
      <form
        className="g-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="g-field">
          {t('visitor.name')}
          <input className="g-input" autoFocus required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="visitor-name" />
        </label>
        <fieldset>
          <legend>{t('visitor.reason')}</legend>
          {VISITOR_REASONS.map((r) => (
            <label key={r} className="g-choice">
              <input type="radio" name="vreason" checked={reason === r} onChange={() => setReason(r)} /> {t(`reason.${r}`)}
            </label>
          ))}
        </fieldset>
        <label className="g-field">
          {t('visitor.note')}
          <input className="g-input" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} data-testid="visitor-note" />
        </label>
        <OperatorPin op={op} />
        <button type="submit" className="btn btn-primary" disabled={name.trim() === '' || !op.ready} data-testid="visitor-open">
          {t('visitor.open')}
        </button>
      </form>
    </Modal>
  );
}

/** Emergency mode: a guarded start, the banner, who is inside by class with staff apart, print and export. */
export function EmergencyPanel({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation('guard');
  const errorText = useErrorText();
  const emergency = useGuard((s) => s.emergency);
  const feedLength = useGuard((s) => s.feed.length);
  const [list, setList] = useState<InsideList | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const op = useOperatorPin();
  const time = (iso: string) => new Date(iso).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' });

  useEffect(() => {
    if (emergency.active) void station.invoke('guard.insideList', {}).then(setList);
  }, [emergency.active, feedLength]);

  const start = async () => {
    try {
      useGuard.setState({ emergency: await station.invoke('guard.emergency', { action: 'start', confirm: true }) });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const end = async () => {
    setError(null);
    try {
      useGuard.setState({ emergency: await station.invoke('guard.emergency', { action: 'end', ...op.input() }) });
      op.setPin('');
      onClose();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const save = async (format: 'csv' | 'html') => {
    const r = await station.invoke('guard.export', { format });
    setSaved(r.path);
    // Also offer it as a download (the browser host, or a USB stick in the desktop app).
    const url = URL.createObjectURL(new Blob([format === 'csv' ? `\uFEFF${r.content}` : r.content], { type: `${r.mime};charset=utf-8` }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  if (!emergency.active) {
    return (
      <section className="g-emergency-confirm" data-testid="emergency-confirm">
        <h1>⚠ {t('emergency.start')}</h1>
        <p>{t('emergency.confirm')}</p>
        {op.needed ? (
          <p className="g-muted" data-testid="emergency-nobody-on-duty">
            {t('emergency.nobodyOnDuty')}
          </p>
        ) : null}
        {error ? <p className="g-error">{error}</p> : null}
        <div className="g-row">
          <button type="button" className="btn btn-danger g-big" onClick={() => void start()} data-testid="emergency-confirm-yes">
            {t('emergency.confirmYes')}
          </button>
          <button type="button" className="btn g-big" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="g-rollcall" data-testid="emergency-list">
      <div className="g-row g-noprint">
        <button type="button" className="btn" onClick={() => window.print()}>
          {t('emergency.print')}
        </button>
        <button type="button" className="btn" onClick={() => void save('csv')} data-testid="emergency-export">
          {t('emergency.exportCsv')}
        </button>
        <button type="button" className="btn" onClick={() => void save('html')}>
          {t('emergency.exportHtml')}
        </button>
        <span className="status-spacer" />
        {!confirmEnd ? (
          <button type="button" className="btn btn-primary" onClick={() => setConfirmEnd(true)} data-testid="emergency-end">
            {t('emergency.end')}
          </button>
        ) : (
          <>
            <span>{t('emergency.endConfirm')}</span>
            <OperatorPin op={op} />
            <button type="button" className="btn btn-primary" disabled={!op.ready} onClick={() => void end()} data-testid="emergency-end-yes">
              {t('emergency.end')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirmEnd(false)}>
              {t('cancel')}
            </button>
          </>
        )}
      </div>
      {error ? <p className="g-error g-noprint">{error}</p> : null}
      {saved ? (
        <p className="g-ok g-noprint" data-testid="emergency-saved">
          {t('emergency.saved', { path: saved })}
        </p>
      ) : null}
      <h1 data-testid="emergency-count">{t('emergency.listTitle', { count: list?.total ?? 0 })}</h1>
      {list && list.total === 0 && list.visitors.length === 0 ? <p>{t('emergency.empty')}</p> : null}
      <div className="g-classes">
        {list?.classes.map((c) => (
          <section key={c.className} className="g-class" data-testid="emergency-class">
            <h2>
              {t('emergency.className', { name: c.className })} ({c.people.length})
            </h2>
            <ol>
              {c.people.map((p) => (
                <li key={p.id}>
                  {p.fullName} <small>{t('emergency.since', { time: time(p.since) })}</small>
                </li>
              ))}
            </ol>
          </section>
        ))}
        {list && list.staff.length > 0 ? (
          <section className="g-class g-staff" data-testid="emergency-staff">
            <h2>
              {t('emergency.staff')} ({list.staff.length})
            </h2>
            <ol>
              {list.staff.map((p) => (
                <li key={p.id}>
                  {p.fullName} <small>{p.group}</small>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
        {list && list.visitors.length > 0 ? (
          <section className="g-class">
            <h2>
              {t('emergency.visitors')} ({list.visitors.length})
            </h2>
            <ol>
              {list.visitors.map((v) => (
                <li key={v.at}>
                  {v.name} <small>{time(v.at)}</small>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </div>
    </section>
  );
}
