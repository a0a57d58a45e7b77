import { useTranslation } from 'react-i18next';
import { portraitSrc } from '../portraits.ts';

/** A portrait by content hash, or a clear placeholder when the holder has none. */
export function Photo({ hash, alt, size = 'large' }: { hash: string | null; alt: string; size?: 'large' | 'thumb' }) {
  const { t } = useTranslation();
  if (!hash) {
    return (
      <div className={`photo photo-${size} photo-missing`} role="img" aria-label={t('card.noPhoto')} data-testid="no-photo">
        {t('card.noPhoto')}
      </div>
    );
  }
  return <img className={`photo photo-${size}`} src={portraitSrc(hash)} alt={alt} draggable={false} />;
}
