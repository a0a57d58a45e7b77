import { z } from 'zod';
import { CardStatus, Holder, Technology, Uid, UtcInstant } from '../domain.ts';
import { CardRead, ReaderStatus } from '../readers.ts';
import { Settings, SettingsPatch } from '../settings.ts';
import { BackendIdentity, SchoolSettings, SyncStatus } from '../sync-api.ts';
import { request } from './define.ts';

/** Why the station cannot serve, in words IT can act on; null when all is well. */
export const StationFault = z.object({
  code: z.enum(['db_corrupt', 'db_unreadable', 'disk_full']),
  detail: z.string(),
  keptAt: z.string().nullable(),
});

/**
 * What changes while the station runs. The mode and the station's name are in its settings, and the
 * events waiting in `sync.eventsWaiting`: each is said once, so two views of one fact cannot disagree.
 */
export const StationStatus = z.object({
  readers: z.array(ReaderStatus),
  /** The sync engine's status (state, last sync, last error code + words, events waiting, attention, clock, progress). */
  sync: SyncStatus,
  fault: StationFault.nullable(),
  version: z.string(),
  /**
   * The station runs a demo school (the embedded one, or a backend that says it serves one): only then
   * is there an on-screen demo reader and do `demo.*` requests work.
   */
  demo: z.boolean(),
  /**
   * Events made for a backend the station was enrolled with before, held until IT decides: send them
   * to the backend of now (`sync.releaseHeld`) or keep them aside (`sync.setAsideHeld`).
   */
  heldEvents: z.array(z.object({ backend: BackendIdentity, count: z.number().int().positive(), heldAt: UtcInstant })),
  /** The school's settings from its backend (the defaults before the first roster page): the screens show school time in its `timeZone`. */
  school: SchoolSettings,
});
export type StationStatus = z.infer<typeof StationStatus>;

/** A tap resolved against the store: who the card belongs to, never a balance. */
export const CardPresented = z.object({
  read: CardRead,
  card: z.object({ status: CardStatus, validUntil: UtcInstant.nullable() }).nullable(),
  holder: Holder.nullable(),
  /** The card can never identify anyone (random uid from a phone or bank card). */
  randomUid: z.boolean(),
});
export type CardPresented = z.infer<typeof CardPresented>;

export const DemoCard = z.object({
  technology: Technology,
  uid: Uid,
  status: CardStatus,
  holder: Holder,
});
export type DemoCard = z.infer<typeof DemoCard>;

const Empty = z.object({}).strict();

export const KeptAsideFile = z.object({ name: z.string(), bytes: z.number().int().nonnegative(), modifiedAt: z.string() });
export type KeptAsideFile = z.infer<typeof KeptAsideFile>;

export const stationRequests = {
  'station.getStatus': request(Empty, StationStatus),
  'settings.get': request(Empty, Settings),
  'settings.update': request(SettingsPatch, Settings),
  /** IT confirmed, after a damaged database was kept aside, to start with an empty store. */
  'station.startEmptyAfterFault': request(z.object({ confirm: z.literal(true) }).strict(), StationStatus),
  /** IT: the tag a card has in this station's logs ("карта #a3f9"); logs never carry the number itself. */
  'station.cardTag': request(z.object({ technology: Technology, uid: Uid }).strict(), z.object({ tag: z.string() })),
  /** IT: damaged databases kept aside in the data folder (they hold personal data until deleted). */
  'store.keptAside': request(Empty, z.array(KeptAsideFile)),
  /** IT: deletes one kept-aside file (and its WAL) once dealt with. */
  'store.deleteKeptAside': request(z.object({ name: z.string().min(1).max(200) }).strict(), z.array(KeptAsideFile)),
  'demo.listCards': request(Empty, z.array(DemoCard)),
  'demo.tap': request(z.object({ readerId: z.string().min(1), technology: Technology, uid: Uid }).strict(), z.object({ ok: z.literal(true) })),
} as const;

export const stationEvents = {
  'station.status': StationStatus,
  /** After every successful `settings.update`, whichever window made it: every window shows the new settings. */
  'settings.changed': Settings,
  'reader.status': ReaderStatus,
  'card.presented': CardPresented,
} as const;
