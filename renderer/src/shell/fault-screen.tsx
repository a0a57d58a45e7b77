import { useTranslation } from 'react-i18next';
import type { StationStatus } from '../../../common/contract/index.ts';
import { SetupLock } from '../it/setup-lock.tsx';
import { station } from '../station-client.ts';
import { useApp } from './app-store.ts';

/**
 * The database could not be opened: say so, keep the file, and let only IT start empty, inside an IT
 * session (the roster is in the damaged file, so it is the station's setup PIN that opens it).
 */
export function FaultScreen({ fault }: { fault: NonNullable<StationStatus['fault']> }) {
  const { t } = useTranslation();
  const startEmpty = async () => {
    if (!window.confirm(t('fault.confirm'))) return;
    const status = await station.invoke('station.startEmptyAfterFault', { confirm: true });
    useApp.setState({ status });
    await useApp.getState().refresh();
  };
  return (
    <main className="fault" role="alert" data-testid="fault-screen">
      <h1>⚠ {t('fault.title')}</h1>
      <p>{t(`fault.${fault.code}`, { keptAt: fault.keptAt ?? '', detail: fault.detail })}</p>
      <p>{t('fault.itHint')}</p>
      <SetupLock>
        {() => (
          <button type="button" className="btn btn-danger" onClick={() => void startEmpty()} data-testid="fault-start-empty">
            {t('fault.startEmpty')}
          </button>
        )}
      </SetupLock>
    </main>
  );
}
