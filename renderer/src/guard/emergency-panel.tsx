import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InsideList } from '../../../common/contract/index.ts';
import { station } from '../station-client.ts';
import { useErrorText } from './guard-errors.ts';
import { useGuard } from './guard-store.ts';
import { OperatorPin, useOperatorPin } from './operator-pin.tsx';
import { useSchoolTime } from '../shell/school-time.ts';

/** Emergency mode: a guarded start, the banner, who is inside by class with staff apart, print and export. */
export function EmergencyPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('guard');
  const { t: ts } = useTranslation('school');
  const schoolTime = useSchoolTime();
  const errorText = useErrorText();
  const emergency = useGuard((s) => s.emergency);
  // Every pass changes the big card and the counters: the roll call follows each one, however long
  // the feed has grown (the feed is capped, so its length stops changing on a busy morning).
  const lastPass = useGuard((s) => s.current);
  const counters = useGuard((s) => s.counters);
  const [list, setList] = useState<InsideList | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const op = useOperatorPin();
  const time = (iso: string) => schoolTime(iso, { hour: '2-digit', minute: '2-digit' });

  useEffect(() => {
    if (emergency.active) void station.invoke('guard.insideList', {}).then(setList);
  }, [emergency.active, lastPass, counters]);

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
      {list ? (
        <p className="g-muted" data-testid="emergency-updated">
          {t('emergency.updatedAt', { time: schoolTime(list.generatedAt, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) })}
        </p>
      ) : null}
      {list && list.posts.length > 0 ? (
        <ul className="g-muted g-posts" data-testid="emergency-posts">
          {list.posts.map((p) => {
            const name = p.name || ts('postUnnamed');
            return <li key={p.id}>{p.heardAt ? ts('postHeard', { name, time: time(p.heardAt) }) : ts('postNever', { name })}</li>;
          })}
        </ul>
      ) : null}
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
          <section className="g-class" data-testid="emergency-visitors">
            <h2>
              {t('emergency.visitors')} ({list.visitors.length})
            </h2>
            <ol>
              {list.visitors.map((v, i) => (
                <li key={`${v.at}:${i}`}>
                  {/* A visitor let in at another post is named with that post: the guard here never saw them. */}
                  {v.name}{' '}
                  <small>{typeof v.post !== 'string' ? time(v.at) : ts('visitorAtPost', { post: v.post || ts('postUnnamed'), time: time(v.at) })}</small>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </div>
    </section>
  );
}
