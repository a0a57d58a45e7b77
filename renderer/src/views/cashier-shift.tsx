import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShiftReport } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { errorReason, useCashier } from '../cashier-store.ts';
import { station } from '../station-client.ts';

/** A touch PIN pad that also takes the keyboard's digits. */
export function PinPad({ value, onChange, label, testId }: { value: string; onChange: (v: string) => void; label: string; testId?: string }) {
  const { t } = useTranslation('cashier');
  const press = (d: string) => value.length < 8 && onChange(value + d);
  return (
    <div className="pin-pad" data-testid={testId}>
      <label className="field">
        <span>{label}</span>
        <input
          className="pin-input"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, 8))}
        />
      </label>
      <div className="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" className="btn pin-key" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="btn pin-key" onClick={() => onChange('')}>
          {t('shift.clear')}
        </button>
        <button type="button" className="btn pin-key" onClick={() => press('0')}>
          0
        </button>
        <button type="button" className="btn pin-key" onClick={() => onChange(value.slice(0, -1))}>
          {t('shift.back')}
        </button>
      </div>
    </div>
  );
}

interface StaffEntry {
  id: string;
  fullName: string;
  position: string;
  roles: string[];
}

export function OpenShift() {
  const { t } = useTranslation('cashier');
  const [staff, setStaff] = useState<StaffEntry[] | null>(null);
  const [who, setWho] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void station.invoke('cashier.staff', {}).then((s) => setStaff(s.filter((x) => x.roles.includes('cashier'))));
  }, []);

  const open = async () => {
    if (!who) return;
    setError(null);
    try {
      const shift = await station.invoke('cashier.openShift', { staffId: who, pin });
      useCashier.setState({ shift });
      await useCashier.getState().load();
    } catch (err) {
      setError(errorReason(err));
      setPin('');
    }
  };

  return (
    <main className="cashier-open" data-testid="cashier-open-shift">
      <h1>{t('shift.openTitle')}</h1>
      <h2>{t('shift.pickStaff')}</h2>
      {staff && staff.length === 0 ? <p className="notice notice-deny">{t('shift.noStaff')}</p> : null}
      <div className="staff-pick" role="radiogroup" aria-label={t('shift.pickStaff')}>
        {(staff ?? []).map((s) => (
          <button key={s.id} type="button" role="radio" aria-checked={who === s.id} className={`btn staff-btn ${who === s.id ? 'selected' : ''}`} onClick={() => setWho(s.id)}>
            <strong>{s.fullName}</strong>
            <small>{s.position}</small>
          </button>
        ))}
      </div>
      {who ? (
        <form
          className="pin-form"
          onSubmit={(e) => {
            e.preventDefault();
            void open();
          }}
        >
          <PinPad value={pin} onChange={setPin} label={t('shift.pin')} testId="shift-pin" />
          {error ? (
            <p className="notice notice-deny" role="alert">
              {t(`errors.${error}` as 'errors.pin_wrong', { defaultValue: error })}
            </p>
          ) : null}
          <button type="submit" className="btn btn-primary btn-big" disabled={pin.length < 4}>
            {t('shift.open')}
          </button>
        </form>
      ) : null}
    </main>
  );
}

export function CloseShift() {
  const { t } = useTranslation('cashier');
  const setReport = useCashier((s) => s.setReport);
  const [blocked, setBlocked] = useState<{ pending: number; anomalies: number } | null>(null);
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);

  const close = async (withOverride: boolean) => {
    setError(null);
    try {
      const r = await station.invoke('cashier.closeShift', withOverride ? { override: { supervisorPin: pin, reason } } : {});
      if (r.ok) setReport(r.report);
      else setBlocked({ pending: r.pending, anomalies: r.anomalies });
    } catch (err) {
      setError(errorReason(err));
      setPin('');
    }
  };

  return (
    <section className="cashier-close" data-testid="cashier-close-shift">
      <h2>{t('close.title')}</h2>
      <p>{t('close.hint')}</p>
      <button type="button" className="btn btn-primary btn-big" onClick={() => void close(false)}>
        {t('close.close')}
      </button>
      {blocked ? (
        <div className="close-override">
          <p className="notice notice-warn" role="alert" data-testid="close-blocked">
            ⚠ {t('close.unsynced', blocked)}
          </p>
          <h3>{t('close.override')}</h3>
          <label className="field">
            <span>{t('close.reason')}</span>
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} data-testid="override-reason" />
          </label>
          <PinPad value={pin} onChange={setPin} label={t('close.supervisorPin')} testId="override-pin" />
          <button type="button" className="btn btn-danger btn-big" disabled={pin.length < 4 || reason.trim().length < 3} onClick={() => void close(true)}>
            {t('close.override')}
          </button>
        </div>
      ) : null}
      {error ? (
        <p className="notice notice-deny" role="alert">
          {t(`errors.${error}` as 'errors.pin_wrong', { defaultValue: error })}
        </p>
      ) : null}
    </section>
  );
}

export function ShiftReportView({ report }: { report: ShiftReport }) {
  const { t, i18n } = useTranslation('cashier');
  const setReport = useCashier((s) => s.setReport);
  const time = (iso: string) => new Date(iso).toLocaleString(i18n.language === 'ru' ? 'ru-RU' : 'en-GB');
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
