import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PIN_MAX_DIGITS } from '../../../common/pin-hash.ts';
import { station } from '../station-client.ts';
import { useGuardDuty } from './duty-store.ts';

type DutyPerson = { staffId: string; fullName: string; position: string };

/**
 * The operator of a manual action is the guard on duty (the station knows who). With nobody on duty the
 * dialog asks who is acting (the guards and supervisors the station lists), then that person's PIN; the
 * action goes ahead under them, and they are now on duty. Wrong PINs count for the person chosen.
 */
export function useOperatorPin() {
  const onDuty = useGuardDuty((s) => s.onDuty);
  const [pin, setPin] = useState('');
  const [who, setWho] = useState<DutyPerson | null>(null);
  const [people, setPeople] = useState<DutyPerson[] | null>(null);
  const needed = !onDuty;
  useEffect(() => {
    if (!needed || people !== null) return;
    let live = true;
    void station
      .invoke('guard.dutyStaff', {})
      .then((r) => live && setPeople(r.people))
      .catch(() => live && setPeople([]));
    return () => {
      live = false;
    };
  }, [needed, people]);
  return {
    pin,
    setPin,
    who,
    setWho,
    people,
    needed,
    /** Ready to send: someone is on duty, or a person is chosen (where the station lists any) and a whole PIN typed. */
    ready: !!onDuty || (pin.length >= 4 && (who !== null || people?.length === 0)),
    input: (): { pin?: string; staffId?: string } => (onDuty || pin === '' ? {} : { pin, ...(who ? { staffId: who.staffId } : {}) }),
  };
}

/** Who is acting and their PIN, shown by a manual action when nobody is on duty. */
export function OperatorPin({ op }: { op: ReturnType<typeof useOperatorPin> }) {
  const { t } = useTranslation('guard');
  if (!op.needed) return null;
  if (op.people && op.people.length > 0 && !op.who) {
    return (
      <div className="g-field g-operator-pin">
        {t('duty.pinForAction')}
        <div className="staff-pick" role="radiogroup" aria-label={t('duty.whoActs')} data-testid="operator-people">
          {op.people.map((p) => (
            <button key={p.staffId} type="button" role="radio" aria-checked={false} className="btn staff-btn" onClick={() => op.setWho(p)}>
              <strong>{p.fullName}</strong>
              <small>{p.position}</small>
            </button>
          ))}
        </div>
      </div>
    );
  }
  return (
    <label className="g-field g-operator-pin">
      {op.who ? t('duty.pinOf', { name: op.who.fullName }) : t('duty.pinForAction')}
      <input
        className="g-input pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        aria-label={t('duty.pin')}
        value={op.pin}
        onChange={(e) => op.setPin(e.target.value.replace(/\D/g, '').slice(0, PIN_MAX_DIGITS))}
        data-testid="operator-pin"
      />
      {op.who ? (
        <button
          type="button"
          className="btn btn-link"
          onClick={() => {
            op.setWho(null);
            op.setPin('');
          }}
          data-testid="operator-other"
        >
          {t('duty.someoneElse')}
        </button>
      ) : null}
    </label>
  );
}
