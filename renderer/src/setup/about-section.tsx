import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateChannel } from '../../../common/update-policy.ts';
import { bridgeError, station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';
import { useUpdate, useUpdateState } from '../update/update-store.ts';
import '../update/update.css';
import { useSchoolTime } from '../shell/school-time.ts';

/** Setup → About: version, signed or not, update channel and state; IT can check now or install now (confirmed). */
export function AboutSection() {
  const { t } = useTranslation('update');
  const schoolTime = useSchoolTime();
  const s = useUpdateState();
  const settings = useApp((a) => a.settings);
  const version = useApp((a) => a.status?.version);
  const updateSettings = useApp((a) => a.updateSettings);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const time = (iso: string | null) => (iso ? schoolTime(iso, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }) : t('about.never'));
  const failed = (err: unknown) => {
    const e = bridgeError(err);
    setMessage(e.reason === 'update_no_answer' ? t('request.update_no_answer') : t('request.failed', { message: e.message }));
  };

  const checkNow = async () => {
    setBusy(true);
    setMessage(null);
    try {
      useUpdate.setState({ state: await station.invoke('update.checkNow', {}) });
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };
  const installNow = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await station.invoke('update.forceInstall', { confirm: true });
      setMessage(r.accepted ? t('about.installAccepted') : t(`request.${r.reason ?? 'not_ready'}`));
      setConfirming(false);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };
  const chooseChannel = async (channel: UpdateChannel) => {
    if (!settings) return;
    await updateSettings({ update: { ...settings.update, channel } });
    useUpdate.setState({ state: await station.invoke('update.getState', {}) });
  };

  let stateText = '';
  if (s) {
    if (s.phase === 'disabled') stateText = s.disabledReason ? t(`disabled.${s.disabledReason}`) : t('phase.disabled');
    else if (s.phase === 'downloading')
      stateText = t('phase.downloading', { version: s.available?.version ?? '', percent: Math.round(s.progress?.percent ?? 0) });
    else if (s.phase === 'ready')
      stateText = `${t('phase.ready', { version: s.available?.version ?? '' })}${s.waitingFor ? `, ${t(`waiting.${s.waitingFor}`)}` : ''}${s.installAt ? ` (${time(s.installAt)})` : ''}`;
    else if (s.phase === 'error') stateText = `${t('phase.error')}: ${s.error ? t(`errors.${s.error.code}`) : ''}`;
    else stateText = t(`phase.${s.phase}`);
  }
  const channel = settings?.update.channel ?? s?.channel ?? 'stable';

  return (
    <section className="about" data-testid="about-section">
      <h2>{t('about.title')}</h2>
      <dl>
        <dt>{t('about.version')}</dt>
        <dd data-testid="about-version">{s?.currentVersion ?? version ?? ''}</dd>
        <dt>{t('about.build')}</dt>
        <dd data-testid="about-build">{s?.signedBuild ? t('about.signed') : <span className="about-unsigned">{t('about.unsigned')}</span>}</dd>
        <dt>{t('about.updates')}</dt>
        <dd data-testid="about-update-state" data-phase={s?.phase ?? ''}>
          {stateText}
        </dd>
        {s && s.phase !== 'disabled' ? (
          <>
            <dt />
            <dd>
              {t('about.lastCheck', { time: time(s.lastCheckAt) })} · {t('about.nextCheck', { time: time(s.nextCheckAt) })}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="field">
        <span>{t('about.channel')}</span>
        <div className="segmented" role="radiogroup" aria-label={t('about.channel')}>
          {(['stable', 'beta'] as const).map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              aria-checked={channel === c}
              className={channel === c ? 'selected' : ''}
              onClick={() => void chooseChannel(c)}
            >
              {t(`channel.${c}`)}
            </button>
          ))}
        </div>
      </div>
      <div className="about-actions">
        <button type="button" className="btn" disabled={busy} onClick={() => void checkNow()} data-testid="update-check-now">
          {t('about.checkNow')}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy || s?.phase !== 'ready'}
          onClick={() => setConfirming(true)}
          data-testid="update-install-now"
        >
          {t('about.installNow')}
        </button>
      </div>
      {confirming && s?.phase === 'ready' ? (
        <div
          className="about-confirm"
          role="alertdialog"
          aria-label={t('about.confirmTitle', { version: s.available?.version ?? '' })}
          data-testid="update-confirm"
        >
          <h3>{t('about.confirmTitle', { version: s.available?.version ?? '' })}</h3>
          <p>{t('about.confirmText')}</p>
          <div className="about-actions">
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void installNow()} data-testid="update-confirm-yes">
              {t('about.confirmYes')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t('about.cancel')}
            </button>
          </div>
        </div>
      ) : null}
      {message ? (
        <p className="about-note" role="status" data-testid="update-message">
          {message}
        </p>
      ) : null}
    </section>
  );
}
