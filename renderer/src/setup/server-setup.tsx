import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EnrollFailure } from '../../../common/contract/index.ts';
import { station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';

/** The setup screen's "Server" section: backend URL + enrollment code → enroll; first-sync progress. */
export function SetupServer() {
  const { t } = useTranslation('sync');
  const settings = useApp((s) => s.settings);
  const sync = useApp((s) => s.status?.sync);
  const refresh = useApp((s) => s.refresh);
  const [url, setUrl] = useState(settings?.backendUrl ?? '');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<EnrollFailure | 'invalid_input' | null>(null);

  const enroll = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await station.invoke('sync.enroll', { backendUrl: url.trim(), code });
      if (r.ok) setCode('');
      else setError(r.reason);
      await refresh();
    } catch {
      // The bridge refused the input (not a URL, empty code): say what to check.
      setError('invalid_input');
    } finally {
      setBusy(false);
    }
  };

  const enrolled = sync && sync.state !== 'not_configured' && !sync.needsEnrollment;
  const progress = sync?.progress;
  return (
    <section className="setup-server" data-testid="setup-server">
      <h2>{t('server.title')}</h2>
      <p className="hint" data-testid="server-state">
        {sync?.needsEnrollment ? t('server.needsEnrollment') : enrolled ? t('server.enrolled', { url: sync.backendUrl ?? '' }) : t('server.notEnrolled')}
      </p>
      {progress ? (
        <div className="sync-progress" data-testid="sync-progress">
          <strong>{t('progress.title')}</strong>
          <progress max={Math.max(progress.total, 1)} value={progress.done} />
          <span>{t(`progress.${progress.phase}`, { done: progress.done, total: progress.total })}</span>
        </div>
      ) : null}
      <form className="enroll-form" onSubmit={(e) => void enroll(e)}>
        <p className="hint">{t('server.hint')}</p>
        <label className="field">
          <span>{t('server.backendUrl')}</span>
          <input name="backendUrl" type="url" inputMode="url" placeholder="https://" value={url} onChange={(e) => setUrl(e.currentTarget.value)} required />
        </label>
        <label className="field">
          <span>{t('server.code')}</span>
          <input
            name="code"
            autoComplete="off"
            autoCapitalize="characters"
            placeholder="XXXX-XXXX"
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            required
          />
        </label>
        {error ? (
          <p className="form-error" role="alert" data-testid="enroll-error">
            {t(`enrollError.${error}`)}
          </p>
        ) : null}
        <div className="enroll-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('server.enrolling') : t('server.enroll')}
          </button>
          {enrolled ? (
            <button type="button" className="btn" onClick={() => void station.invoke('sync.now', {}).then(() => refresh())}>
              {t('server.syncNow')}
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
