import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCashierErrorText } from './cashier-errors.ts';
import { errorReason, useCashier } from './cashier-store.ts';
import { PinPad } from '../components/pin-pad.tsx';
import { station } from '../station-client.ts';

interface StaffEntry {
  id: string;
  fullName: string;
  position: string;
  roles: string[];
}

/** No shift open: pick the cashier, type the personal PIN. */
export function OpenShift() {
  const { t } = useTranslation('cashier');
  const errorText = useCashierErrorText();
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
          <button
            key={s.id}
            type="button"
            role="radio"
            aria-checked={who === s.id}
            className={`btn staff-btn ${who === s.id ? 'selected' : ''}`}
            onClick={() => setWho(s.id)}
          >
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
          <PinPad value={pin} onChange={setPin} person={staff?.find((s) => s.id === who)?.fullName ?? ''} testId="shift-pin" />
          {error ? (
            <p className="notice notice-deny" role="alert">
              {errorText(error)}
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

/** Close the shift; with unsynced or flagged sales only with a supervisor's PIN and a reason. */
export function CloseShift() {
  const { t } = useTranslation('cashier');
  const errorText = useCashierErrorText();
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
          {errorText(error)}
        </p>
      ) : null}
    </section>
  );
}
