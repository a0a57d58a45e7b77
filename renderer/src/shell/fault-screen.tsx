import { useTranslation } from 'react-i18next';
import type { StationStatus } from '../../../common/contract/index.ts';
import { station } from '../station-client.ts';
import { useApp } from './app-store.ts';

/** The database could not be opened: say so, keep the file, and let only IT start empty. */
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
      <button type="button" className="btn btn-danger" onClick={() => void startEmpty()}>
        {t('fault.startEmpty')}
      </button>
    </main>
  );
}
