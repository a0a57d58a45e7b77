import { useTranslation } from 'react-i18next';
import { PIN_MAX_DIGITS } from '../../../common/pin-hash.ts';
import { shortName } from './short-name.ts';
import './components.css';

/**
 * A touch PIN pad that also takes the keyboard's digits. With `person` (the staff member chosen first)
 * it names them: "ПИН-код: Иванова М. П.", so nobody types a PIN not knowing whose it is taken for.
 */
export function PinPad({
  value,
  onChange,
  label,
  testId,
  person,
}: {
  value: string;
  onChange: (v: string) => void;
  label?: string;
  testId?: string;
  person?: string;
}) {
  const { t } = useTranslation();
  const press = (d: string) => value.length < PIN_MAX_DIGITS && onChange(value + d);
  const title = person ? t('pinPad.for', { name: shortName(person) }) : (label ?? '');
  return (
    <div className="pin-pad" data-testid={testId}>
      <label className="field">
        <span data-testid={testId ? `${testId}-label` : undefined}>{title}</span>
        <input
          className="pin-input"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, PIN_MAX_DIGITS))}
        />
      </label>
      <div className="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" className="btn pin-key" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="btn pin-key pin-clear" onClick={() => onChange('')}>
          {t('pinPad.clear')}
        </button>
        <button type="button" className="btn pin-key" onClick={() => press('0')}>
          0
        </button>
        <button type="button" className="btn pin-key" onClick={() => onChange(value.slice(0, -1))}>
          {t('pinPad.back')}
        </button>
      </div>
    </div>
  );
}
