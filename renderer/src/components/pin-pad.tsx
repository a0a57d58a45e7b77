import { useTranslation } from 'react-i18next';
import './components.css';

/** A touch PIN pad that also takes the keyboard's digits. */
export function PinPad({ value, onChange, label, testId }: { value: string; onChange: (v: string) => void; label: string; testId?: string }) {
  const { t } = useTranslation();
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
