import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShiftInfo } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { tillOnline } from '../../../common/till-online.ts';
import { connectCashierStore, useCashier } from './cashier-store.ts';
import { useApp } from '../shell/app-store.ts';
import { GroupMeal } from './group-meal.tsx';
import { ShiftSales } from './sales.tsx';
import { CloseShift, OpenShift } from './shift.tsx';
import { ShiftReportView } from './shift-report.tsx';
import { Till } from './till.tsx';
import './cashier.css';

type Tab = 'till' | 'sales' | 'group' | 'close';

/** The canteen cashier's screen: shift open → till / sales / group meal / close → report. */
export function CashierScreen() {
  const loaded = useCashier((s) => s.loaded);
  const shift = useCashier((s) => s.shift);
  const report = useCashier((s) => s.report);
  useEffect(() => connectCashierStore(), []);

  if (!loaded) return <main className="cashier" data-testid="cashier-view" />;
  if (report) return <ShiftReportView report={report} />;
  if (!shift) return <OpenShift />;
  // Keyed by shift: a new shift starts on the till tab.
  return <ShiftScreen key={shift.shiftId} shift={shift} />;
}

function ShiftScreen({ shift }: { shift: ShiftInfo }) {
  const { t } = useTranslation('cashier');
  const [tab, setTab] = useState<Tab>('till');
  return (
    <main className="cashier" data-testid="cashier-view">
      <nav className="cashier-tabs" role="tablist">
        {(['till', 'sales', 'group', 'close'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} className={`btn ${tab === k ? 'selected' : ''}`} onClick={() => setTab(k)}>
            {t(`tabs.${k}`)}
          </button>
        ))}
        <span className="status-spacer" />
        <span className="muted" data-testid="shift-operator">
          {t('shift.operator', { name: shift.operatorName })}
        </span>
      </nav>
      <TillOffline />
      {tab === 'till' ? <Till /> : tab === 'sales' ? <ShiftSales /> : tab === 'group' ? <GroupMeal /> : <CloseShift />}
    </main>
  );
}

/** Offline the till says so, with the cap it applies: the same rule the station uses to flag and cap a sale. */
function TillOffline() {
  const { t, i18n } = useTranslation('cashier');
  const { t: ts } = useTranslation('school');
  const sync = useApp((s) => s.status?.sync);
  const cap = useApp((s) => s.status?.school.offlineCapPerDay);
  if (!sync || tillOnline(sync) || cap === undefined) return null;
  // The other tills' sales are known up to the last exchange with the server: the limit and the
  // subsidy count them that far, and the server's exceptions catch the rest.
  const since = sync.lastSyncAt ? new Date(sync.lastSyncAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) : null;
  return (
    <p className="notice notice-warn" role="status" data-testid="till-offline">
      {t('shift.offline', { cap: formatMoney(cap) })}
      <br />
      <small data-testid="till-offline-school">{since ? ts('tillOffline', { time: since }) : ts('tillOfflineNever')}</small>
    </p>
  );
}
