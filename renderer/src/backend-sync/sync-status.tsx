import { useTranslation } from 'react-i18next';
import './sync.css';
import { useApp } from '../shell/app-store.ts';
import { useSchoolTime } from '../shell/school-time.ts';

/**
 * The status bar's sync part: online/offline, last successful sync, events waiting, the last error in
 * words, the clock warning, and a button to the "needs attention" list when it is not empty.
 */
export function SyncStatus() {
  const { t } = useTranslation('sync');
  const schoolTime = useSchoolTime();
  const { t: tc } = useTranslation();
  const sync = useApp((s) => s.status?.sync);
  // The sync state is the station's: with the line to it down, this screen knows nothing of it.
  const connected = useApp((s) => s.connected);
  const openAttention = useApp((s) => s.openAttention);
  const time = (iso: string | null) => (iso ? schoolTime(iso, { hour: '2-digit', minute: '2-digit' }) : tc('status.never'));
  const state = sync?.state ?? 'offline';
  const stateText =
    state === 'not_configured'
      ? tc('status.notConfigured')
      : state === 'online'
        ? tc('status.online')
        : state === 'syncing'
          ? tc('status.syncing')
          : tc('status.offline');
  if (!connected) return null;
  return (
    <>
      <span className={`status-sync sync-${sync?.needsEnrollment ? 'offline' : state}`} data-testid="sync-state" data-state={state}>
        {sync?.needsEnrollment ? t('status.enrollAgain') : stateText}
        {sync && state !== 'not_configured' ? ` · ${tc('status.lastSync', { time: time(sync.lastSyncAt) })}` : ''}
        {sync?.lastErrorCode && state === 'offline' ? (
          <span className="sync-error" data-testid="sync-error" title={sync.lastError ?? ''}>
            {' '}
            ({t(`error.${sync.lastErrorCode}`)})
          </span>
        ) : null}
      </span>
      <span data-testid="outbox-pending">{t('status.waiting', { count: sync?.eventsWaiting ?? 0 })}</span>
      {sync?.clockWarning ? (
        <span className="status-warn" data-testid="clock-warning">
          ⚠ {t('status.clockWarning', { minutes: Math.round(Math.abs(sync.clockOffsetMs) / 60_000) })}
        </span>
      ) : null}
      {sync && sync.needsAttention > 0 ? (
        <button type="button" className="btn btn-ghost status-attention" data-testid="attention-button" onClick={() => openAttention(true)}>
          ⚠ {t('status.attention', { count: sync.needsAttention })}
        </button>
      ) : null}
    </>
  );
}
