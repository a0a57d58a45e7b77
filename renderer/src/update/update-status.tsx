import { useTranslation } from 'react-i18next';
import { useUpdateState } from './update-store.ts';
import './update.css';
import { useSchoolTime } from '../shell/school-time.ts';

/** The status bar line about updates, shown only when it matters to the person at the station. */
export function UpdateStatus() {
  const { t } = useTranslation('update');
  const schoolTime = useSchoolTime();
  const s = useUpdateState();
  if (!s) return null;
  let text: string;
  switch (s.phase) {
    case 'ready':
      text = s.installAt
        ? t('bar.readyAt', { time: schoolTime(s.installAt, { hour: '2-digit', minute: '2-digit' }) })
        : s.waitingFor === 'open_shift'
          ? t('bar.readyShift')
          : t('bar.ready');
      break;
    case 'downloading':
      text = t('bar.downloading', { percent: Math.round(s.progress?.percent ?? 0) });
      break;
    case 'stalled':
      text = t('bar.stalled');
      break;
    case 'installing':
      text = t('bar.installing');
      break;
    case 'error':
      text = t('bar.error', { reason: s.error ? t(`errors.${s.error.code}`) : '' });
      break;
    default:
      // idle, checking and disabled do not concern the guard or the cashier; setup's About shows them.
      return null;
  }
  return (
    <span className={`status-update status-update-${s.phase}`} role="status" data-testid="update-status">
      {text}
    </span>
  );
}
