import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Receipt } from '../../../common/contract/cashier.ts';
import { formatMoney } from '../../../common/money.ts';
import { useCashierErrorText } from './cashier-errors.ts';
import { errorReason } from './cashier-store.ts';
import { station } from '../station-client.ts';
import { PinPad } from '../components/pin-pad.tsx';
import { useSchoolTime } from '../shell/school-time.ts';

/** The open shift's sales, newest first, each voidable with a supervisor's PIN. */
export function ShiftSales() {
  const { t } = useTranslation('cashier');
  const errorText = useCashierErrorText();
  const schoolTime = useSchoolTime();
  const [sales, setSales] = useState<Receipt[]>([]);
  const [voiding, setVoiding] = useState<Receipt | null>(null);
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const reload = () => void station.invoke('cashier.sales', { limit: 100 }).then(setSales);
  useEffect(reload, []);

  const doVoid = async () => {
    if (!voiding) return;
    try {
      await station.invoke('cashier.void', { saleId: voiding.saleId, supervisorPin: pin, reason });
      setMessage({ ok: true, text: t('sales.voidedOk') });
      setVoiding(null);
      reload();
    } catch (err) {
      const r = errorReason(err);
      setMessage({ ok: false, text: errorText(r) });
    }
    setPin('');
  };

  return (
    <section className="shift-sales" data-testid="shift-sales">
      <h2>{t('sales.title')}</h2>
      {message ? (
        <p className={`notice ${message.ok ? 'notice-allow' : 'notice-deny'}`} role="status" data-testid="void-message">
          {message.text}
        </p>
      ) : null}
      {sales.length === 0 ? <p className="muted">{t('sales.empty')}</p> : null}
      <table className="report-table sales-table">
        <tbody>
          {sales.map((s) => (
            <tr key={s.saleId} className={s.voided ? 'voided' : ''} data-sale={s.saleId}>
              <td>{schoolTime(s.at, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</td>
              <td>
                {s.holder.fullName} <small className="muted">{s.holder.group}</small>
              </td>
              <td>{s.lines.map((l) => `${l.name} × ${l.quantity}`).join(', ')}</td>
              <td>{formatMoney(s.total)}</td>
              <td>
                {s.voided ? (
                  <span className="tag tag-deny">{t('receipt.voided')}</span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-danger"
                    onClick={() => {
                      setVoiding(s);
                      setMessage(null);
                      setReason('');
                    }}
                  >
                    {t('sales.void')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {voiding ? (
        <div className="overlay" role="dialog" aria-modal="true" data-testid="void-dialog">
          <div className="verdict">
            <h2>{t('sales.voidTitle', { total: formatMoney(voiding.total), name: voiding.holder.fullName })}</h2>
            <label className="field">
              <span>{t('sales.reason')}</span>
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} data-testid="void-reason" />
            </label>
            <PinPad value={pin} onChange={setPin} label={t('sales.supervisorPin')} testId="void-pin" />
            {message && !message.ok ? (
              <p className="notice notice-deny" role="alert">
                {message.text}
              </p>
            ) : null}
            <div className="row">
              <button type="button" className="btn" onClick={() => setVoiding(null)}>
                {t('sales.cancel')}
              </button>
              <button
                type="button"
                className="btn btn-danger btn-big"
                disabled={pin.length < 4 || !reason.trim()}
                onClick={() => void doVoid()}
                data-testid="confirm-void"
              >
                {t('sales.confirmVoid')}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}
