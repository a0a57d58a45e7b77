import { useTranslation } from 'react-i18next';
import type { ShiftReport } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { useCashier } from './cashier-store.ts';
import { useSchoolTime } from '../shell/school-time.ts';

/** The closed shift's report: gross, voids, net, by payment, by category (each adding up to net), refusals; print, then done. */
export function ShiftReportView({ report }: { report: ShiftReport }) {
  const { t } = useTranslation('cashier');
  const schoolTime = useSchoolTime();
  const setReport = useCashier((s) => s.setReport);
  const time = (iso: string) => schoolTime(iso, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const refusals = Object.entries(report.refusals);
  const m = report.money;
  const sum = (xs: readonly { total: number }[]) => xs.reduce((a, x) => a + x.total, 0);
  return (
    <main className="shift-report" data-testid="shift-report">
      <h1>{t('report.title')}</h1>
      <p>
        {t('report.operator')}: <strong>{report.operatorName}</strong>
        <br />
        {t('report.period')}: {time(report.openedAt)} — {time(report.closedAt)}
      </p>
      <h2>{t('report.totals')}</h2>
      <table className="report-table" data-testid="report-totals">
        <thead>
          <tr>
            <th>{t('report.line')}</th>
            <th>{t('report.count')}</th>
            <th>{t('report.total')}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="report-gross">
            <th>{t('report.gross')}</th>
            <td>{m.gross.count}</td>
            <td>{formatMoney(m.gross.total)}</td>
          </tr>
          <tr data-testid="report-voids">
            <th>{t('report.voids')}</th>
            <td data-testid="report-voids-count">{m.voids.count}</td>
            <td>{formatMoney(-m.voids.total)}</td>
          </tr>
          <tr className="report-sum" data-testid="report-net">
            <th>{t('report.net')}</th>
            <td>{m.net.count}</td>
            <td>{formatMoney(m.net.total)}</td>
          </tr>
        </tbody>
      </table>
      <p data-testid="report-group-meals">{t('report.groupMeals', { count: report.groupMeals.count, students: report.groupMeals.students })}</p>
      <h2>{t('report.byPayment')}</h2>
      <table className="report-table" data-testid="report-by-payment">
        <tbody>
          {m.byPayment.map((p) => (
            <tr key={p.kind} data-kind={p.kind}>
              <th>{t(`report.payment.${p.kind}`)}</th>
              <td>{p.count}</td>
              <td>{formatMoney(p.total)}</td>
            </tr>
          ))}
          <tr className="report-sum" data-testid="report-payment-sum">
            <th>{t('report.sectionTotal')}</th>
            <td />
            <td>{formatMoney(sum(m.byPayment))}</td>
          </tr>
        </tbody>
      </table>
      <h2>{t('report.byCategory')}</h2>
      <table className="report-table" data-testid="report-by-category">
        <tbody>
          {m.byCategory.map((c) => (
            <tr key={c.category}>
              <th>{c.category}</th>
              <td>{c.quantity}</td>
              <td>{formatMoney(c.total)}</td>
            </tr>
          ))}
          <tr className="report-sum" data-testid="report-category-sum">
            <th>{t('report.sectionTotal')}</th>
            <td />
            <td>{formatMoney(sum(m.byCategory))}</td>
          </tr>
        </tbody>
      </table>
      {m.reconciled ? null : (
        <p className="notice notice-deny" role="alert" data-testid="report-not-reconciled">
          ⚠ {t('report.notReconciled')}
        </p>
      )}
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
      {report.override ? (
        <p className="notice notice-warn">{t('report.override', { who: report.override.supervisorName, reason: report.override.reason })}</p>
      ) : null}
      {report.csvPath || report.exportPath ? (
        <p className="muted" data-testid="report-files">
          {t('report.exported', { path: [report.csvPath, report.exportPath].filter(Boolean).join(', ') })}
        </p>
      ) : null}
      <div className="row no-print">
        <button type="button" className="btn" onClick={() => window.print()} data-testid="report-print">
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
  return t(`refusal.${reason}`, { defaultValue: reason, spent: '', limit: '', pay: '', available: '', cap: '' })
    .replace(/[:(].*$/, '')
    .trim();
}
