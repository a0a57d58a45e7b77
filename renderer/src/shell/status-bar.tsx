import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isReasonOf } from '../../../common/contract/refusals.ts';
import { ReaderFault } from '../../../common/readers.ts';
import type { StationMode } from '../../../common/settings.ts';
import { useCashier } from '../cashier/cashier-store.ts';
import { useGuardDuty } from '../guard/duty-store.ts';
import { useApp } from './app-store.ts';
import { useReaderName } from './reader-name.ts';
import { useSchoolTime } from './school-time.ts';
import { SyncStatus } from '../backend-sync/sync-status.tsx';
import { UpdateStatus } from '../update/update-status.tsx';

function useClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** Who works this station now: the guard on duty, or the cashier whose shift is open (DESIGN §7). */
function Operator({ mode }: { mode: StationMode }) {
  const { t } = useTranslation();
  const onDuty = useGuardDuty((s) => s.onDuty);
  const shift = useCashier((s) => s.shift);
  if (mode === 'guard' && onDuty) return <span data-testid="status-operator">{t('status.onDuty', { name: onDuty.fullName })}</span>;
  if (mode === 'cashier' && shift) return <span data-testid="status-operator">{t('status.shift', { name: shift.operatorName })}</span>;
  return null;
}

/** Always visible: mode, who works it, connection and sync, events waiting, each reader's state, the time. */
export function StatusBar() {
  const { t } = useTranslation();
  const hw = useTranslation('hardware').t;
  const readers = useApp((s) => s.status?.readers);
  const readerName = useReaderName();
  // The mode and the name come from the settings, the one place they are kept (the screen follows the same).
  const mode = useApp((s) => s.settings?.mode ?? 'unset');
  const stationName = useApp((s) => s.settings?.stationName ?? '');
  const connected = useApp((s) => s.connected);
  const openSetup = useApp((s) => s.openSetup);
  const now = useClock();
  const schoolTime = useSchoolTime();
  return (
    <header className="status-bar" data-testid="status-bar">
      <strong className="status-mode">{t(`mode.${mode}`)}</strong>
      {stationName ? <span>{stationName}</span> : null}
      <Operator mode={mode} />
      <SyncStatus />
      <span className="status-readers">
        {(readers ?? []).map((r) => (
          <span key={r.readerId} className={`reader-chip reader-${r.state}`} title={r.reason ?? ''} data-testid={`reader-${r.readerId}`}>
            {readerName(r.readerId)} ({t(`reader.role.${r.role}`)}): {t(`reader.${r.state}`)}
            {r.reason && r.state !== 'ready' ? ` — ${isReasonOf(ReaderFault, r.reason) ? hw(`reason.${r.reason}`) : r.reason}` : ''}
          </span>
        ))}
        {readers && readers.length === 0 ? (
          <span className="reader-chip reader-error" data-testid="reader-none">
            {t('reader.notConfigured')}
          </span>
        ) : null}
      </span>
      {!connected ? <span className="status-alarm">{t('status.connectionLost')}</span> : null}
      <UpdateStatus />
      <span className="status-spacer" />
      <time data-testid="school-clock">{schoolTime(now, { hour: '2-digit', minute: '2-digit' })}</time>
      <button type="button" className="btn btn-ghost" onClick={() => openSetup(true)}>
        {t('nav.setup')}
      </button>
    </header>
  );
}
