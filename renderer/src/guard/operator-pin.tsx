import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PIN_MAX_DIGITS } from '../../../common/pin-hash.ts';
import { useGuardDuty } from './duty-store.ts';

/**
 * The operator of a manual action is the guard on duty (the station knows who). With nobody on duty the
 * dialog asks for a PIN in one field; the action then goes ahead under that person, who is now on duty.
 */
export function useOperatorPin() {
  const onDuty = useGuardDuty((s) => s.onDuty);
  const [pin, setPin] = useState('');
  return {
    pin,
    setPin,
    needed: !onDuty,
    /** Ready to send: someone is on duty, or a whole PIN is typed. */
    ready: !!onDuty || pin.length >= 4,
    input: (): { pin?: string } => (onDuty || pin === '' ? {} : { pin }),
  };
}

/** The PIN field a manual action shows when nobody is on duty. */
export function OperatorPin({ op }: { op: ReturnType<typeof useOperatorPin> }) {
  const { t } = useTranslation('guard');
  if (!op.needed) return null;
  return (
    <label className="g-field g-operator-pin">
      {t('duty.pinForAction')}
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
    </label>
  );
}
