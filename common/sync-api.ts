/**
 * The sync contract between a station and the backend (docs/architecture.md): the wire schemas the reference
 * server validates with and serves as OpenAPI, and the station's client parses replies with.
 * Pure zod; no I/O.
 */
import { z } from 'zod';
import { CARD_FORMATS } from './card-id.ts';
import { Account, Card, CardRef, Direction, MenuItem, SchoolDate, Staff, Student, UtcInstant } from './domain.ts';
import { EventResult, EventResultStatus, StationRole } from './events.ts';
import { Pin, PinHash } from './pin-hash.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, isTimeZone } from './school-time.ts';

export const API_PREFIX = '/v1';

/** Error body of every non-2xx reply: a machine code the station can translate, and words for IT. */
export const ApiError = z.object({
  error: z.enum([
    'unauthorized',
    'revoked',
    'bad_request',
    'not_found',
    'invalid_code',
    'too_many_events',
    'too_many_attempts',
    'too_large',
    'server_error',
    'unavailable',
  ]),
  message: z.string(),
});
export type ApiError = z.infer<typeof ApiError>;

// ── The backend's identity ───────────────────────────────────────────────────────────────────
/**
 * Who the backend is: a random id made once per server database (a reset or another server is another
 * backend, even at the same address), the school's name for people to read, and whether it serves a
 * demo school (only the server's demo seeding says so). Returned at enrollment and with every roster
 * page and push reply, so a station notices when it is talking to another backend.
 */
export const BackendIdentity = z.object({
  id: z.string().min(8).max(100),
  schoolName: z.string().max(200),
  demo: z.boolean().default(false),
});
export type BackendIdentity = z.infer<typeof BackendIdentity>;

// ── Enrollment ───────────────────────────────────────────────────────────────────────────────
export const EnrollRequest = z.object({
  code: z.string().trim().min(4).max(64),
  stationName: z.string().max(80).default(''),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;
export const EnrollResponse = z.object({
  stationId: z.string(),
  /** Shown once; the server keeps only its hash. */
  token: z.string().min(32),
  schoolName: z.string(),
  /** Absent from an older backend (the station then knows it by its address only). */
  backend: BackendIdentity.optional(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

// ── Roster deltas ────────────────────────────────────────────────────────────────────────────
export const TombstoneKind = z.enum(['student', 'staff', 'card', 'account', 'spare_card']);
export type TombstoneKind = z.infer<typeof TombstoneKind>;
/**
 * A removed row. For a card and a spare card the id is `technology:uid`; otherwise the person's (or
 * account holder's) id.
 */
export const Tombstone = z.object({ kind: TombstoneKind, id: z.string().min(1) });
export type Tombstone = z.infer<typeof Tombstone>;

export const RosterQuery = z.object({
  /** Opaque; absent on a first sync. */
  since: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
/**
 * A staff member as the roster carries them: with the salted hash of their PIN (never the PIN).
 * `null`: no PIN (the station forgets one it had); absent: a backend that does not send PINs (kept).
 */
export const RosterStaff = Staff.extend({ pinHash: PinHash.nullable().optional() });
export type RosterStaff = z.infer<typeof RosterStaff>;

/**
 * A card of the school's reserve stock: a guard hands it out for a day to a child who forgot
 * theirs. It is nobody's card until a station binds it (a temp_card_bind event, then a temporary card row).
 */
export const SpareCard = z.object({
  technology: Card.shape.technology,
  uid: Card.shape.uid,
  part: Card.shape.part,
  /** What is printed or stuck on the card, e.g. "Запасная 3"; may be empty. */
  label: z.string().max(80),
});
export type SpareCard = z.infer<typeof SpareCard>;

/**
 * The school's settings, kept on the backend and set by its administrator; stations take them with the
 * roster. The school day is counted in `timeZone`.
 */
export const SchoolSettings = z.object({
  timeZone: z.string().min(1).default(DEFAULT_SCHOOL_TIME_ZONE),
  /** Offline cashier debits per child per school day, across all tills (kopecks). */
  offlineCapPerDay: z.number().int().nonnegative().max(10_000_000).default(300_00),
  /** Share of a complex meal the subsidy pays for the `discounted` category (percent). */
  subsidyDiscountPercent: z.number().int().min(0).max(100).default(50),
  /** The update feed stations follow; null: their own setting. */
  releaseFeed: z.string().max(500).nullable().default(null),
  /** Days a station keeps what the backend acknowledged (events, roll-call exports, shift reports, logs). */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** The till notes a child with no entry at a guard post today ("не отмечен на входе сегодня"). */
  noEntryNoteAtTill: z.boolean().default(true),
});
export type SchoolSettings = z.infer<typeof SchoolSettings>;

export const DEFAULT_SCHOOL_SETTINGS: SchoolSettings = SchoolSettings.parse({});

/**
 * The school's settings as a station keeps them (the JSON of the last roster page's `school`); the
 * defaults when it has none yet (the demo school, a backend that does not send them) or the text is bad.
 * A time zone this machine's Intl does not know falls back to the default zone, never to the PC's zone.
 */
export function schoolSettingsFrom(json: string | null): SchoolSettings {
  if (json === null) return DEFAULT_SCHOOL_SETTINGS;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return DEFAULT_SCHOOL_SETTINGS;
  }
  const parsed = SchoolSettings.safeParse(value);
  if (!parsed.success) return DEFAULT_SCHOOL_SETTINGS;
  return isTimeZone(parsed.data.timeZone) ? parsed.data : { ...parsed.data, timeZone: DEFAULT_SCHOOL_SETTINGS.timeZone };
}

/** A child's school-wide figures for one school day, summed over every station of the school. */
export const DayFigures = z.object({
  holderId: z.string().min(1),
  /** Debited from the account today (sales and group meals, less voids). */
  spent: z.number().int(),
  /** Subsidised meals taken today. */
  subsidyMeals: z.number().int().nonnegative(),
  /** Debited while the till was offline today. */
  offlineSpent: z.number().int(),
});
export type DayFigures = z.infer<typeof DayFigures>;

export const RosterPage = z.object({
  students: z.array(Student),
  staff: z.array(RosterStaff),
  cards: z.array(Card),
  accounts: z.array(Account),
  /** Added or relabelled spare cards; absent from a backend that keeps no stock. */
  spareCards: z.array(SpareCard).default([]),
  /**
   * Removed rows. A kind this station does not know (a newer backend removing something an older
   * station never stored) is read and skipped, never a reason to refuse the whole page: a refused page
   * would stop the station's roster sync until it is updated.
   */
  tombstones: z.array(z.union([Tombstone, z.object({ kind: z.string().min(1), id: z.string().min(1) })])),
  /** Pass back as `since` for the next page; store it once the page is applied. */
  cursor: z.string(),
  /** More changes wait after this page. */
  more: z.boolean(),
  /** Rows changed after `since` in total (this page included), for a progress bar. */
  remaining: z.number().int().nonnegative(),
  /** The school's settings; absent from an older backend. */
  school: SchoolSettings.optional(),
  /**
   * Today's school-wide figures (by the school's day) of the accounts in this page; absent from an older
   * backend. `asOf`: the school-day facts (GET /v1/day) with a `seq` up to it are inside these figures.
   */
  today: z.object({ date: SchoolDate, figures: z.array(DayFigures), asOf: z.number().int().nonnegative().optional() }).optional(),
  /** The backend that made the page; absent from an older backend. */
  backend: BackendIdentity.optional(),
});
export type RosterPage = z.infer<typeof RosterPage>;

/** A roster row the station could not take (e.g. a balance beyond what it stores): skipped, not fatal. */
export const SkippedRosterRow = z.object({ kind: z.string(), id: z.string().nullable(), reason: z.string() });
export type SkippedRosterRow = z.infer<typeof SkippedRosterRow>;

/**
 * The page as it comes over the wire: each row is checked on its own, so one bad row is skipped (and
 * reported) instead of refusing the page, which would leave card blocks and tombstones behind it
 * waiting at every station.
 */
const RosterPageWire = RosterPage.extend({
  students: z.array(z.unknown()),
  staff: z.array(z.unknown()),
  cards: z.array(z.unknown()),
  accounts: z.array(z.unknown()),
  spareCards: z.array(z.unknown()).default([]),
  tombstones: z.array(z.unknown()),
  school: z.unknown().optional(),
  today: z.unknown().optional(),
  backend: z.unknown().optional(),
});

export function parseRosterPage(json: unknown): { success: true; page: RosterPage; skipped: SkippedRosterRow[] } | { success: false; error: z.ZodError } {
  const wire = RosterPageWire.safeParse(json);
  if (!wire.success) return { success: false, error: wire.error };
  const skipped: SkippedRosterRow[] = [];
  const rows = <S extends z.ZodType>(kind: string, schema: S, list: unknown[]): z.output<S>[] => {
    const out: z.output<S>[] = [];
    for (const row of list) {
      const r = schema.safeParse(row);
      if (r.success) out.push(r.data);
      else {
        const o = (row ?? {}) as Record<string, unknown>;
        const id = [o.id, o.holderId, o.uid].find((v) => typeof v === 'string') as string | undefined;
        skipped.push({
          kind,
          id: id ?? null,
          reason: r.error.issues
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')
            .slice(0, 300),
        });
      }
    }
    return out;
  };
  const school = SchoolSettings.safeParse(wire.data.school);
  const today = z.object({ date: SchoolDate, figures: z.array(z.unknown()), asOf: z.number().int().nonnegative().optional() }).safeParse(wire.data.today);
  // A page that names its backend in a form the station cannot read is not taken as anybody's.
  const backend = wire.data.backend === undefined ? null : BackendIdentity.safeParse(wire.data.backend);
  if (backend && !backend.success) return { success: false, error: backend.error };
  const page: RosterPage = {
    students: rows('student', Student, wire.data.students),
    staff: rows('staff', RosterStaff, wire.data.staff),
    cards: rows('card', Card, wire.data.cards),
    accounts: rows('account', Account, wire.data.accounts),
    spareCards: rows('spare_card', SpareCard, wire.data.spareCards),
    tombstones: rows('tombstone', RosterPage.shape.tombstones.element, wire.data.tombstones),
    cursor: wire.data.cursor,
    more: wire.data.more,
    remaining: wire.data.remaining,
    ...(wire.data.school !== undefined && school.success ? { school: school.data } : {}),
    ...(today.success
      ? {
          today: {
            date: today.data.date,
            figures: rows('day_figures', DayFigures, today.data.figures),
            ...(today.data.asOf !== undefined ? { asOf: today.data.asOf } : {}),
          },
        }
      : {}),
    ...(backend?.success ? { backend: backend.data } : {}),
  };
  return { success: true, page, skipped };
}

export const photoPath = (hash: string) => `${API_PREFIX}/photos/${hash}`;
export const PhotoParams = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex of the photo') });

// ── Menu and time ────────────────────────────────────────────────────────────────────────────
export const MenuQuery = z.object({ date: SchoolDate });
export const MenuResponse = z.object({ date: SchoolDate, items: z.array(MenuItem) });
export type MenuResponse = z.infer<typeof MenuResponse>;

export const TimeResponse = z.object({ now: UtcInstant, epochMs: z.number().int() });
export type TimeResponse = z.infer<typeof TimeResponse>;

// ── Events ───────────────────────────────────────────────────────────────────────────────────
export const MAX_EVENTS_PER_BATCH = 1000;
/**
 * A batch in station order. Events are taken loosely here (any object with an id) so that one bad
 * event gets its own `invalid` answer instead of failing the whole batch.
 */
export const EventsBatchRequest = z.object({
  events: z.array(z.looseObject({ id: z.string().min(1).max(64) })).max(MAX_EVENTS_PER_BATCH),
  /**
   * The backend these events were made for (its identity's id). A backend that is not that one refuses
   * every event of the batch (`wrong_backend`) and keeps none of them. Absent from an older station.
   */
  backendId: BackendIdentity.shape.id.optional(),
});
export type EventsBatchRequest = z.infer<typeof EventsBatchRequest>;

/** Why an event was flagged or refused, as a code the station's UI translates. */
export const EventResultCode = z.enum([
  'overdraft',
  'conflict',
  'schema',
  'unknown_type',
  'unknown_holder',
  'unknown_sale',
  'already_voided',
  'void_exceeds_sale',
  /** The batch was made for another backend: nothing of it was kept here. */
  'wrong_backend',
]);
export type EventResultCode = z.infer<typeof EventResultCode>;

/**
 * One answer per event, in request order. A `duplicate` carries the first answer in `first`, so an
 * anomaly seen on the first delivery is still seen when only the retry's reply arrives.
 */
export const PushResult = EventResult.extend({
  code: EventResultCode.optional(),
  /**
   * The backend's rule that refused or flagged the event (e.g. `wrong_role`, `total_mismatch`,
   * `daily_limit_exceeded`), in a field of its own: an older station takes only the codes above, and
   * drops this field unread, showing the message instead.
   */
  rule: z.string().max(64).optional(),
  first: z
    .object({
      status: EventResultStatus.exclude(['duplicate']),
      code: EventResultCode.optional(),
      rule: z.string().max(64).optional(),
      message: z.string().optional(),
    })
    .optional(),
});
export type PushResult = z.infer<typeof PushResult>;
export const EventsBatchResponse = z.object({ results: z.array(PushResult), backend: BackendIdentity.optional() });
export type EventsBatchResponse = z.infer<typeof EventsBatchResponse>;

/** What the station keeps for an event that needs a person's attention. */
export const AttentionItem = z.object({
  id: z.string(),
  seq: z.number().int(),
  type: z.string(),
  occurredAt: UtcInstant,
  status: z.enum(['anomaly', 'invalid']),
  code: z.string().nullable(),
  message: z.string().nullable(),
});
export type AttentionItem = z.infer<typeof AttentionItem>;

// ── Station-side status (published by the station over the bridge) ──────────────────────────
export const SyncErrorCode = z.enum([
  'network',
  'timeout',
  'server_error',
  'bad_reply',
  'unauthorized',
  'rate_limited',
  'invalid_code',
  'store_error',
  /** The backend at the address is not the one the station is enrolled with (its identity differs). */
  'wrong_backend',
]);
export type SyncErrorCode = z.infer<typeof SyncErrorCode>;

export const SyncStatus = z.object({
  state: z.enum(['not_configured', 'online', 'offline', 'syncing']),
  backendUrl: z.string().nullable(),
  stationId: z.string().nullable(),
  /** The backend refused the token: the station must be enrolled again. */
  needsEnrollment: z.boolean(),
  lastSyncAt: UtcInstant.nullable(),
  lastErrorCode: SyncErrorCode.nullable(),
  /** The last error in words, for IT and the log; the UI shows the translated code. */
  lastError: z.string().nullable(),
  eventsWaiting: z.number().int().nonnegative(),
  needsAttention: z.number().int().nonnegative(),
  clockOffsetMs: z.number().int(),
  /** The station's clock differs from the backend's by more than CLOCK_WARNING_MS. */
  clockWarning: z.boolean(),
  /** A roster sync in progress (first sync shows a progress bar), else null. */
  progress: z.object({ phase: z.enum(['roster', 'photos']), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;
export const CLOCK_WARNING_MS = 60_000;

// ── Administration (admin-token endpoints; the CLI calls the same functions) ──────────────────
export const TopUpRequest = z.object({ holderId: z.string().min(1), amount: z.number().int().positive(), note: z.string().default('') });
export const DailyLimitRequest = z.object({ holderId: z.string().min(1), dailyLimit: z.number().int().nonnegative().nullable() });
export const ForbiddenCategoriesRequest = z.object({ holderId: z.string().min(1), categories: z.array(z.string().min(1)) });
export const SubsidyRequest = z.object({ holderId: z.string().min(1), subsidy: Account.shape.subsidy });
export const LostCardRequest = z.object({
  card: CardRef,
  temporary: CardRef,
  validUntil: UtcInstant.nullable().default(null),
});
/** A code is made for a role and lives at most a day. */
export const MAX_CODE_TTL_MINUTES = 24 * 60;
export const EnrollmentCodeRequest = z.object({ role: StationRole, ttlMinutes: z.number().int().min(1).max(MAX_CODE_TTL_MINUTES).default(60) });
export const EnrollmentCodeResponse = z.object({ code: z.string(), role: StationRole, expiresAt: UtcInstant });
export const CsvImportRequest = z.object({ csv: z.string(), photos: z.record(z.string(), z.string()).default({}) });
export const ImportReport = z.object({
  imported: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  /** People imports: rows with status=left, whose person was deleted. */
  removed: z.number().int().optional(),
  /** Rows imported with something the school must fix (a person without photo consent). */
  warnings: z.array(z.object({ line: z.number().int(), reason: z.string() })).optional(),
});
export type ImportReport = z.infer<typeof ImportReport>;
export const AccountView = Account;
export const StationView = z.object({
  id: z.string(),
  name: z.string(),
  /** Null: enrolled before stations had roles; it may send either role's events until IT sets one. */
  role: StationRole.nullable(),
  enrolledAt: UtcInstant,
  revokedAt: UtcInstant.nullable(),
  lastSeenAt: UtcInstant.nullable(),
});
export const StationRoleRequest = z.object({ role: StationRole });

// ── Exceptions: school-wide rules broken (often offline), for the administrator to resolve ──
export const ExceptionKind = z.enum([
  'second_subsidised_meal',
  'daily_limit_exceeded',
  'offline_overdraft',
  'group_meal_twice',
  'price_differs',
  'spare_card_refused',
  /** A pupil fed on a school day with no entry at any post; resolved by the backend when an entry arrives later. */
  'sold_without_entry',
]);
export type ExceptionKind = z.infer<typeof ExceptionKind>;
export const ExceptionResolution = z.enum(['charge_paid', 'accept', 'void']);
export type ExceptionResolution = z.infer<typeof ExceptionResolution>;
export const ExceptionView = z.object({
  id: z.string(),
  kind: ExceptionKind,
  holderId: z.string().nullable(),
  schoolDate: SchoolDate,
  /** The events that make it up (the one that broke the rule last), with their stations and times. */
  events: z.array(z.object({ id: z.string(), type: z.string(), stationId: z.string(), occurredAt: UtcInstant, amount: z.number().int() })),
  message: z.string(),
  /** What "charge as a paid meal" would debit (kopecks). */
  chargeAmount: z.number().int().nonnegative(),
  createdAt: UtcInstant,
  resolution: ExceptionResolution.nullable(),
  note: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: UtcInstant.nullable(),
  /** The balance change the resolution made (kopecks; credit positive). */
  correction: z.number().int().nullable(),
});
export type ExceptionView = z.infer<typeof ExceptionView>;
export const ExceptionsQuery = z.object({ status: z.enum(['open', 'resolved', 'all']).default('open') });
export const ResolveExceptionRequest = z.object({
  resolution: ExceptionResolution,
  note: z.string().trim().min(1).max(1000),
  /** Who resolves it, as the school's records name them. */
  by: z.string().trim().min(1).max(100),
});
/** Only the fields given change; the others keep their stored value. */
export const SchoolSettingsPatch = z
  .object({
    timeZone: z.string().min(1),
    offlineCapPerDay: z.number().int().nonnegative().max(10_000_000),
    subsidyDiscountPercent: z.number().int().min(0).max(100),
    releaseFeed: z.string().max(500).nullable(),
    retentionDays: z.number().int().min(1).max(3650),
    noEntryNoteAtTill: z.boolean(),
  })
  .partial()
  .strict();
export type SchoolSettingsPatch = z.infer<typeof SchoolSettingsPatch>;
export const Ok = z.object({ ok: z.literal(true) });
/** Set (or with `null` clear) a staff member's PIN; the server keeps and sends only its hash. */
export const StaffPinRequest = z.object({ pin: Pin.nullable() });
export const StaffPinResponse = z.object({ staffId: z.string(), hasPin: z.boolean(), changed: z.boolean() });
export type StaffPinResponse = z.infer<typeof StaffPinResponse>;

/** A person who leaves the school (admin): deleted, their cards refused from every station's next sync. */
export const RemovePersonRequest = z.object({ kind: z.enum(['student', 'staff']), id: z.string().min(1).max(100) });
export const RemovePersonResponse = z.object({
  removed: z.boolean(),
  /** The id the school's ledger and events now carry instead (nothing links it back to the person). */
  pseudonym: z.string().nullable(),
  cards: z.number().int(),
  /** The account's balance when it was closed (kopecks), for the school's refund. */
  balance: z.number().int(),
});
export type RemovePersonResponse = z.infer<typeof RemovePersonResponse>;
export const PhotoConsentRequest = z.object({ kind: z.enum(['student', 'staff']), id: z.string().min(1).max(100), consent: z.boolean() });
export const PhotoConsentResponse = z.object({ id: z.string(), photoConsent: z.boolean() });

/** A spare card named as IT reads it off the card or a reader: the uid in any printed form (common/card-id.ts). */
export const SpareCardRef = z.object({
  technology: Card.shape.technology,
  uid: z.string().trim().min(1).max(40),
  /** How `uid` is written; the server converts it to the canonical uid. */
  format: z.enum(CARD_FORMATS).default('hex'),
});
export type SpareCardRef = z.infer<typeof SpareCardRef>;
export const SpareCardAddRequest = SpareCardRef.extend({ label: z.string().trim().max(80).default('') });
export type SpareCardAddRequest = z.infer<typeof SpareCardAddRequest>;
/** A spare card in the server's stock, with the holder it is bound to right now (a temporary card valid now). */
export const SpareCardAdminView = SpareCard.extend({
  /** The uid as a decimal (dec10) and Wiegand-26 reader print it, to match against the card's sticker. */
  printed: z.object({ dec10: z.string(), wiegand26: z.string() }),
  addedAt: UtcInstant,
  boundTo: z.object({ holderKind: Card.shape.holderKind, holderId: z.string(), fullName: z.string().nullable(), validUntil: UtcInstant.nullable() }).nullable(),
});
export type SpareCardAdminView = z.infer<typeof SpareCardAdminView>;
export const SpareCardRemoveResponse = z.object({
  removed: SpareCardAdminView,
  /** Bound right now: the holder keeps it until it is returned or the day ends; stations then drop it from their stock. */
  stillBound: z.boolean(),
});
export type SpareCardRemoveResponse = z.infer<typeof SpareCardRemoveResponse>;

// ── The school's day, shared between its stations ────────────────────────────────────────────
/**
 * One fact of the school day from another station: ids the roster holds, never a name or a card number
 * (a visitor, who is on no roster, is the one fact with a name: VisitorFact).
 * `seq` orders facts across the whole school (a later commit has a larger one); `id` is the key a
 * station stores it under (the event id, or event id + ':' + holder for one student of a group meal).
 */
const FactBase = z.object({
  id: z.string().min(1).max(200),
  seq: z.number().int().positive(),
  eventId: z.string().min(1).max(100),
  stationId: z.string().min(1).max(100),
  /** When it happened: the station's time corrected by its clock offset. */
  at: UtcInstant,
  schoolDate: SchoolDate,
  holderId: z.string().min(1).max(100),
});
export const PassFact = FactBase.extend({
  kind: z.literal('pass'),
  holderKind: z.enum(['student', 'staff']),
  direction: Direction,
  verdict: z.enum(['allow', 'deny']),
  /** Let through by the guard's hand (manual open), not by a card. */
  manual: z.boolean(),
});
export type PassFact = z.infer<typeof PassFact>;
/** What a sale, a void or one student's part of a group meal changed in the child's day figures. */
export const MealFact = FactBase.extend({
  kind: z.literal('meal'),
  meal: z.enum(['sale', 'void', 'group_meal']),
  /** Change to the account debits counted against the daily limit (a void is negative). */
  spent: z.number().int(),
  subsidyMeals: z.number().int().min(-1).max(1),
  offlineSpent: z.number().int(),
});
export type MealFact = z.infer<typeof MealFact>;
/**
 * A visitor let in by hand at another post (a parent, a plumber): not on the roster, so the fact carries
 * the name the guard wrote at the desk (an adult's, read out at the roll call) instead of a holder id.
 * Kept for the school day only, like every fact. A station that does not know this kind skips it.
 */
export const VisitorFact = FactBase.omit({ holderId: true }).extend({
  kind: z.literal('visitor'),
  visitorName: z.string().min(1).max(200),
  /** The desk's reason code (common/guard-rules.ts VISITOR_REASONS from this app's stations). */
  reason: z.string().min(1).max(200),
  direction: Direction,
});
export type VisitorFact = z.infer<typeof VisitorFact>;
export const DayFact = z.discriminatedUnion('kind', [PassFact, MealFact, VisitorFact]);
export type DayFact = z.infer<typeof DayFact>;

export const DayQuery = z.object({
  /** The `cursor` of the previous reply; absent: from the start of today. */
  since: z.string().regex(/^\d+$/).optional(),
  /** Seconds to hold the request when nothing is waiting (0: answer at once). */
  wait: z.coerce.number().int().min(0).max(25).default(25),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
/** Another station of the school and when the backend last heard from it. */
export const DayStation = z.object({
  id: z.string().min(1),
  name: z.string().max(80),
  role: StationRole.nullable(),
  lastSeenAt: UtcInstant.nullable(),
});
export type DayStation = z.infer<typeof DayStation>;
export const DayReply = z.object({
  /** The school day (the school's time zone) these facts are of. */
  date: SchoolDate,
  cursor: z.string(),
  /** More facts wait: ask again at once. */
  more: z.boolean(),
  facts: z.array(DayFact),
  stations: z.array(DayStation),
});
export type DayReply = z.infer<typeof DayReply>;
const DayReplyWire = DayReply.extend({ facts: z.array(z.unknown()), stations: z.array(z.unknown()) });

/**
 * Like a roster page: a fact that does not parse is skipped (and reported), not the reply, so a station
 * older than its backend skips a fact kind it does not know and keeps following the day. `facts` is the
 * union this build knows (a test passes an older build's).
 */
export function parseDayReply(
  json: unknown,
  facts: z.ZodType<DayFact> = DayFact,
): { success: true; reply: DayReply; skipped: number } | { success: false; error: z.ZodError } {
  const wire = DayReplyWire.safeParse(json);
  if (!wire.success) return { success: false, error: wire.error };
  let skipped = 0;
  const keep = <S extends z.ZodType>(schema: S, list: unknown[]): z.output<S>[] =>
    list.flatMap((x) => {
      const r = schema.safeParse(x);
      if (r.success) return [r.data];
      skipped++;
      return [];
    });
  return { success: true, reply: { ...wire.data, facts: keep(facts, wire.data.facts), stations: keep(DayStation, wire.data.stations) }, skipped };
}
