import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bridgeError, station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';

/**
 * Events made for the backend the station was enrolled with before: they are not sent to the new one
 * until IT decides, here, to send them anyway or to keep them aside for good.
 */
export function HeldEvents() {
  const { t } = useTranslation('sync');
  const held = useApp((s) => s.status?.heldEvents ?? []);
  const refresh = useApp((s) => s.refresh);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  if (held.length === 0 && !message) return null;

  const decide = async (backendId: string, how: 'send' | 'setAside') => {
    setBusy(true);
    try {
      if (how === 'send') {
        const r = await station.invoke('sync.releaseHeld', { backendId });
        setMessage(t('held.sent', { count: r.released }));
      } else {
        const r = await station.invoke('sync.setAsideHeld', { backendId });
        setMessage(t('held.keptAside', { count: r.keptAside, file: r.file ?? '' }));
      }
      await refresh();
    } catch (err) {
      setMessage(t('held.failed', { message: bridgeError(err).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="held-events" data-testid="held-events">
      <h2>{t('held.title')}</h2>
      {held.map((h) => (
        <div key={h.backend.id} className="held-backend" data-testid={`held-${h.backend.id}`}>
          <p className="form-error" role="alert">
            {t('held.count', { count: h.count, school: h.backend.schoolName || t('held.unnamedSchool', { id: h.backend.id }) })}
          </p>
          <p className="hint">{t('held.hint')}</p>
          <div className="enroll-actions">
            <button type="button" className="btn" disabled={busy} onClick={() => void decide(h.backend.id, 'send')}>
              {t('held.send')}
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => void decide(h.backend.id, 'setAside')}>
              {t('held.setAside')}
            </button>
          </div>
        </div>
      ))}
      {message ? (
        <p className="hint" data-testid="held-result">
          {message}
        </p>
      ) : null}
    </section>
  );
}
