import { z } from 'zod';
import { CardStatus, Holder, Technology, Uid, UtcInstant } from '../domain.ts';
import { CardRead, ReaderStatus } from '../readers.ts';
import { Settings, SettingsPatch } from '../settings.ts';
import { SchoolSettings, SyncStatus } from '../sync-api.ts';
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

export const stationRequests = {
  'station.getStatus': request(Empty, StationStatus),
  'settings.get': request(Empty, Settings),
  'settings.update': request(SettingsPatch, Settings),
  /** IT confirmed, after a damaged database was kept aside, to start with an empty store. */
  'station.startEmptyAfterFault': request(z.object({ confirm: z.literal(true) }).strict(), StationStatus),
  'demo.listCards': request(Empty, z.array(DemoCard)),
  'demo.tap': request(
    z.object({ readerId: z.string().min(1), technology: Technology, uid: Uid }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
} as const;

export const stationEvents = {
  'station.status': StationStatus,
  'reader.status': ReaderStatus,
  'card.presented': CardPresented,
} as const;
