import { useTranslation } from 'react-i18next';

/**
 * What an address without the station's key shows (browser host): what to open instead, in Russian
 * and then in English, since nobody has chosen a language yet.
 */
export function NoTokenPage() {
  const { t } = useTranslation('access');
  return (
    <main className="no-token" data-testid="no-token">
      {(['ru', 'en'] as const).map((lng) => (
        <section key={lng} lang={lng}>
          <h1>{t('noToken.title', { lng })}</h1>
          <p>{t('noToken.what', { lng })}</p>
          <p>{t('noToken.where', { lng })}</p>
        </section>
      ))}
    </main>
  );
}
