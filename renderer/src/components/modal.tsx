import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import './components.css';

/** A dialog over the screen: a title, a close button, and Escape closes it too. */
export function Modal({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId: string }) {
  const { t } = useTranslation();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-back">
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header>
          <h2>{title}</h2>
          <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('nav.close')}>
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
