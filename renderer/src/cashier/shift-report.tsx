import { useTranslation } from 'react-i18next';
import type { ShiftReport } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { useCashier } from './cashier-store.ts';
import { useSchoolTime } from '../shell/school-time.ts';

/** The closed shift's report: sales, voids, group meals, by category, refusals; print, then done. */
export function ShiftReportView({ report }: { report: ShiftReport }) {
  const { t } = useTranslation('cashier');
  const schoolTime = useSchoolTime();
  const setReport = useCashier((s) => s.setReport);
  const time = (iso: string) => schoolTime(iso, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const refusals = Object.entries(report.refusals);
  return (
    <main className="shift-report" data-testid="shift-report">
      <h1>{t('report.title')}</h1>
      <p>
        {t('report.operator')}: <strong>{report.operatorName}</strong>
        <br />
        {t('report.period')}: {time(report.openedAt)} — {time(report.closedAt)}
      </p>
      <table className="report-table">
        <tbody>
          <tr>
            <th>{t('report.sales')}</th>
            <td data-testid="report-sales-count">{report.sales.count}</td>
            <td data-testid="report-sales-total">{formatMoney(report.sales.total)}</td>
          </tr>
          <tr>
            <th>— {t('report.subsidy')}</th>
            <td />
            <td>{formatMoney(report.sales.subsidy)}</td>
          </tr>
          <tr>
            <th>— {t('report.account')}</th>
            <td />
            <td>{formatMoney(report.sales.account)}</td>
          </tr>
          <tr>
            <th>{t('report.voids')}</th>
            <td data-testid="report-voids-count">{report.voids.count}</td>
            <td>{formatMoney(report.voids.total)}</td>
          </tr>
          <tr>
            <th>{t('report.groupMeals')}</th>
            <td>
              {report.groupMeals.count} ({report.groupMeals.students} {t('report.students')})
            </td>
            <td>
              {t('report.subsidy')} {formatMoney(report.groupMeals.subsidy)} · {t('report.account')} {formatMoney(report.groupMeals.account)} · {t('report.school')}{' '}
              {formatMoney(report.groupMeals.school)}
            </td>
          </tr>
        </tbody>
      </table>
      <h2>{t('report.byCategory')}</h2>
      <table className="report-table">
        <tbody>
          {report.byCategory.map((c) => (
            <tr key={c.category}>
              <th>{c.category}</th>
              <td>{c.quantity}</td>
              <td>{formatMoney(c.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('report.refusals')}</h2>
      {refusals.length === 0 ? (
        <p>{t('report.noRefusals')}</p>
      ) : (
        <table className="report-table" data-testid="report-refusals">
          <tbody>
            {refusals.map(([reason, n]) => (
              <tr key={reason}>
                <th>{reasonText(t as unknown as (k: string, o?: object) => string, reason)}</th>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.override ? <p className="notice notice-warn">{t('report.override', { who: report.override.supervisorName, reason: report.override.reason })}</p> : null}
      {report.exportPath ? <p className="muted">{t('report.exported', { path: report.exportPath })}</p> : null}
      <div className="row no-print">
        <button type="button" className="btn" onClick={() => window.print()}>
          {t('report.print')}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => setReport(null)}>
          {t('report.done')}
        </button>
      </div>
    </main>
  );
}

/** A refusal reason code in words, whichever stage it came from. */
export function reasonText(t: (k: string, o?: object) => string, reason: string): string {
  if (reason === 'not_this_child') return t('check.reject');
  const tap = t(`tapRefusal.${reason}`, { defaultValue: '' });
  if (tap) return tap;
  return t(`refusal.${reason}`, { defaultValue: reason, spent: '', limit: '', pay: '', available: '', cap: '' }).replace(/[:(].*$/, '').trim();
}
