import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DemoCard } from '../../../common/contract/index.ts';
import { station } from '../station-client.ts';
import { useApp } from '../shell/app-store.ts';
import { Photo } from '../components/photo.tsx';

/**
 * The on-screen demo reader: each demo card as a button that taps it on the simulated reader, so a
 * person without hardware sees the station react. Shown only in a demo school with a simulated reader.
 */
export function DemoReaderPanel() {
  const { t } = useTranslation();
  const settings = useApp((s) => s.settings);
  const [cards, setCards] = useState<DemoCard[]>([]);
  const [open, setOpen] = useState(true);
  // Only in a demo school: the station refuses demo requests anywhere else, and nothing here would work.
  const demo = useApp((s) => s.status?.demo ?? false);
  const simulated = demo ? (settings?.readers.filter((r) => r.kind === 'simulated') ?? []) : [];
  const [readerId, setReaderId] = useState<string | null>(null);
  const activeReader = readerId ?? simulated[0]?.id ?? null;
  // A sync brings the school's cards (the first one on a fresh station): list them again after each.
  const lastSyncAt = useApp((s) => s.status?.sync.lastSyncAt ?? null);

  useEffect(() => {
    if (simulated.length > 0) void station.invoke('demo.listCards', {}).then(setCards);
  }, [simulated.length, lastSyncAt]);

  if (simulated.length === 0 || !activeReader) return null;
  const tap = (c: Pick<DemoCard, 'technology' | 'uid'>) => void station.invoke('demo.tap', { readerId: activeReader, technology: c.technology, uid: c.uid });

  return (
    <aside className={`demo-panel ${open ? 'open' : ''}`} aria-label={t('demo.title')} data-testid="demo-reader">
      <button type="button" className="btn btn-ghost demo-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        {t('demo.title')}
      </button>
      {open ? (
        <>
          <p className="hint">{t('demo.hint')}</p>
          {simulated.length > 1 ? (
            <div className="segmented">
              {simulated.map((r) => (
                <button key={r.id} type="button" className={r.id === activeReader ? 'selected' : ''} onClick={() => setReaderId(r.id)}>
                  {r.id} ({t(`reader.role.${r.role}`)})
                </button>
              ))}
            </div>
          ) : null}
          <ul className="demo-cards">
            {cards.map((c) => (
              <li key={`${c.technology}:${c.uid}`}>
                <button type="button" className="demo-card" onClick={() => tap(c)} data-uid={c.uid}>
                  <Photo hash={c.holder.photoHash} alt={c.holder.fullName} size="thumb" />
                  <span className="demo-card-text">
                    <span>{c.holder.fullName}</span>
                    <small>
                      {c.holder.group} · {t(`card.status.${c.status}`)} · {c.uid}
                    </small>
                  </span>
                </button>
              </li>
            ))}
            <li>
              <button type="button" className="demo-card" onClick={() => tap({ technology: 'iso14443', uid: '04DEADBEEF0001' })} data-uid="04DEADBEEF0001">
                <span className="demo-card-text">
                  <span>{t('demo.unknownCard')}</span>
                  <small>04DEADBEEF0001</small>
                </span>
              </button>
            </li>
          </ul>
        </>
      ) : null}
    </aside>
  );
}
