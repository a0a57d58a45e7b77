import { deflateSync } from 'node:zlib';
import { portraitPng } from '../common/demo-portrait.ts';
import { DEMO_SPARE_CARDS, demoPhotoConsent, generateDemoSchool } from '../common/demo-school.ts';
import type { Clock } from '../common/clock.ts';
import { schoolDate } from '../common/school-time.ts';
import type { PhotoStore } from '../node/photos.ts';
import type { Store } from './store/index.ts';
import { hashPin } from './pin.ts';

/**
 * Seeds the embedded demo school into an empty store (no backend configured): a person without
 * hardware or a server sees a working station at once.
 */
export function seedDemoSchool(store: Store, photos: PhotoStore, clock: Clock, students = 30): void {
  const now = clock.now();
  const school = generateDemoSchool({ students, date: schoolDate(now, store.syncState.schoolSettings().timeZone), now: new Date(now).toISOString() });
  const hashes = new Map<string, string>();
  // A person without photo consent has no portrait on the station at all.
  for (const [id, spec] of school.photos) if (demoPhotoConsent(id)) hashes.set(id, photos.put(portraitPng(spec, deflateSync, { id })));
  store.db.transaction(() => {
    store.roster.upsertStudents(school.students.map((s) => ({ ...s, photoHash: hashes.get(s.id) ?? null })));
    store.roster.upsertStaff(school.staff.map(({ pin, ...s }) => ({ ...s, photoHash: hashes.get(s.id) ?? null, pinHash: hashPin(pin) })));
    store.roster.upsertCards(school.cards);
    store.roster.upsertAccounts(school.accounts);
    store.roster.upsertMenu(school.menu);
  })();
}

/** The demo menu is for one date; a demo station started on a later day gets today's menu too. */
export function ensureDemoMenu(store: Store, clock: Clock): void {
  const today = schoolDate(clock.now(), store.syncState.schoolSettings().timeZone);
  if (store.roster.hasMenu(today)) return;
  const school = generateDemoSchool({ students: 0, date: today, now: new Date(clock.now()).toISOString() });
  store.roster.upsertMenu(school.menu);
}

/**
 * The embedded demo school's spare-card stock, for a station with no backend (with one, the stock comes
 * from the server's roster like every other school's). Only into an empty stock.
 */
export function ensureDemoSpareCards(store: Store): number {
  if (store.spares.count() > 0) return 0;
  store.spares.add(DEMO_SPARE_CARDS);
  return DEMO_SPARE_CARDS.length;
}

/**
 * The station ran the embedded demo school and is now enrolled with a real backend: the demo people,
 * cards, accounts and menu go (the backend's roster replaces them), and demo events still waiting are
 * kept here but never sent, marked with the reason, so a real backend never receives a made-up pass.
 */
export function retireDemoSchool(store: Store): { eventsKept: number } {
  let eventsKept = 0;
  store.db.transaction(() => {
    // The spare-card stock too: the backend's own stock arrives with its roster.
    store.roster.clear();
    store.spares.clear();
    eventsKept = store.outbox.retirePending('demo school event: kept on this station, not sent');
  })();
  return { eventsKept };
}
