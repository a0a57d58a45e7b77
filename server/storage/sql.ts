/**
 * The one seam between the reference server and its database. Statements are written once with `?`
 * placeholders in the SQL both SQLite and PostgreSQL understand; each adapter runs them its own way.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | boolean | null | Buffer;

export interface Sql {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface TxOptions {
  /**
   * The transaction changes roster rows (it takes revisions): it is serialized with every other such
   * transaction, so revisions become visible in the order they were taken and a cursor never skips one.
   */
  roster?: boolean;
  /** Read-only, every statement sees the same snapshot (a roster page must not mix two moments). */
  snapshot?: boolean;
}

export interface Tx extends Sql {
  /** The next roster revision (monotonic across the whole database). Needs `{ roster: true }`. */
  nextRev(): Promise<number>;
}

export interface Database extends Sql {
  tx<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for log lines (never a password). */
  readonly describe: string;
}

/** Columns added after a table was first created: a database made before them gets them on open. */
export const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  // Staff PIN hashes (common/pin-hash.ts), sent to stations with the roster.
  { table: 'staff', column: 'pin_hash', type: 'TEXT' },
  // Station roles: a code is made for a role and the station carries it; null for stations enrolled before.
  { table: 'stations', column: 'role', type: 'TEXT' },
  { table: 'enrollment_codes', column: 'role', type: 'TEXT' },
  // Admin tokens expire; null for tokens made before (they live until revoked).
  { table: 'admin_tokens', column: 'expires_at', type: 'TEXT' },
  { table: 'admin_tokens', column: 'label', type: 'TEXT' },
  // The school day an event counts for (school time zone, station's corrected time).
  { table: 'events', column: 'school_date', type: 'TEXT' },
  // Written photo consent (1) per person; without it (0 or null) the portrait is neither kept nor sent.
  { table: 'students', column: 'photo_consent', type: 'INTEGER' },
  { table: 'staff', column: 'photo_consent', type: 'INTEGER' },
  // What part of a card's number was given (common/card-match.ts): null for the full uid.
  { table: 'cards', column: 'part', type: 'TEXT' },
  { table: 'spare_cards', column: 'part', type: 'TEXT' },
];

/** The server's schema, one text for both dialects; `BLOB` and `BIGINT` are swapped in per dialect. */
export function schemaSql(dialect: Dialect): string {
  const blob = dialect === 'postgres' ? 'BYTEA' : 'BLOB';
  const int = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  return `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value ${int} NOT NULL);
INSERT INTO counters (name, value) VALUES ('rev', 0) ON CONFLICT (name) DO NOTHING;

CREATE TABLE IF NOT EXISTS students (
  id TEXT PRIMARY KEY, full_name TEXT NOT NULL, class_name TEXT NOT NULL, photo_hash TEXT,
  status TEXT NOT NULL, rev ${int} NOT NULL);
CREATE INDEX IF NOT EXISTS students_rev ON students (rev);
CREATE TABLE IF NOT EXISTS staff (
  id TEXT PRIMARY KEY, full_name TEXT NOT NULL, position TEXT NOT NULL, photo_hash TEXT,
  status TEXT NOT NULL, roles TEXT NOT NULL, pin_hash TEXT, rev ${int} NOT NULL);
CREATE INDEX IF NOT EXISTS staff_rev ON staff (rev);
CREATE TABLE IF NOT EXISTS cards (
  technology TEXT NOT NULL, uid TEXT NOT NULL, holder_kind TEXT NOT NULL, holder_id TEXT NOT NULL,
  status TEXT NOT NULL, valid_until TEXT, rev ${int} NOT NULL, PRIMARY KEY (technology, uid));
CREATE INDEX IF NOT EXISTS cards_rev ON cards (rev);
CREATE INDEX IF NOT EXISTS cards_holder ON cards (holder_id);
CREATE TABLE IF NOT EXISTS accounts (
  holder_id TEXT PRIMARY KEY, balance ${int} NOT NULL, balance_at TEXT NOT NULL, daily_limit ${int},
  forbidden_categories TEXT NOT NULL, allergens TEXT NOT NULL, subsidy TEXT NOT NULL, parent_note TEXT,
  rev ${int} NOT NULL);
CREATE INDEX IF NOT EXISTS accounts_rev ON accounts (rev);
-- The school's reserve stock of spare cards; a removed one leaves a 'spare_card' tombstone.
CREATE TABLE IF NOT EXISTS spare_cards (
  technology TEXT NOT NULL, uid TEXT NOT NULL, label TEXT NOT NULL, added_at TEXT NOT NULL, rev ${int} NOT NULL,
  PRIMARY KEY (technology, uid));
CREATE INDEX IF NOT EXISTS spare_cards_rev ON spare_cards (rev);
CREATE TABLE IF NOT EXISTS tombstones (kind TEXT NOT NULL, id TEXT NOT NULL, rev ${int} NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS tombstones_rev ON tombstones (rev);

CREATE TABLE IF NOT EXISTS photos (hash TEXT PRIMARY KEY, mime TEXT NOT NULL, bytes ${blob} NOT NULL);
CREATE TABLE IF NOT EXISTS menu_items (
  date TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL, kind TEXT NOT NULL,
  price ${int} NOT NULL, allergens TEXT NOT NULL, PRIMARY KEY (date, id));

CREATE TABLE IF NOT EXISTS stations (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL,
  revoked_at TEXT, last_seen_at TEXT);
CREATE TABLE IF NOT EXISTS enrollment_codes (code_hash TEXT PRIMARY KEY, expires_at TEXT NOT NULL, used_at TEXT, station_id TEXT);
CREATE TABLE IF NOT EXISTS admin_tokens (token_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL, revoked_at TEXT);

-- Every event a station ever sent, accepted or not: the first answer is kept with it.
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, station_id TEXT NOT NULL, seq ${int} NOT NULL, type TEXT NOT NULL,
  occurred_at TEXT NOT NULL, clock_offset_ms ${int} NOT NULL, body TEXT NOT NULL, body_hash TEXT NOT NULL,
  holder_id TEXT, amount ${int} NOT NULL DEFAULT 0,
  status TEXT NOT NULL, code TEXT, message TEXT, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_station ON events (station_id, seq);
CREATE INDEX IF NOT EXISTS events_by_holder ON events (holder_id, type);
-- A void names the sale it reverses; one void per sale, enforced by the key.
CREATE TABLE IF NOT EXISTS voids (sale_event_id TEXT PRIMARY KEY, void_event_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (
  event_id TEXT PRIMARY KEY, holder_id TEXT NOT NULL, delta ${int} NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_holder ON ledger (holder_id);
-- Each child's school-wide figures per school day, summed over every station of the school.
CREATE TABLE IF NOT EXISTS daily_figures (
  holder_id TEXT NOT NULL, school_date TEXT NOT NULL, spent ${int} NOT NULL, subsidy_meals ${int} NOT NULL,
  offline_spent ${int} NOT NULL, PRIMARY KEY (holder_id, school_date));
CREATE INDEX IF NOT EXISTS daily_figures_date ON daily_figures (school_date);
-- The first group meal of a class on a school day; a second is an exception.
CREATE TABLE IF NOT EXISTS class_meals (class_name TEXT NOT NULL, school_date TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (class_name, school_date));
-- School-wide rules broken (often offline): applied, and kept here for the administrator to resolve.
CREATE TABLE IF NOT EXISTS exceptions (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, holder_id TEXT, school_date TEXT NOT NULL, event_ids TEXT NOT NULL,
  message TEXT NOT NULL, charge_amount ${int} NOT NULL, created_at TEXT NOT NULL,
  resolution TEXT, note TEXT, resolved_by TEXT, resolved_at TEXT, correction ${int});
CREATE INDEX IF NOT EXISTS exceptions_open ON exceptions (resolved_at, created_at);
CREATE INDEX IF NOT EXISTS exceptions_by_holder ON exceptions (holder_id, school_date);
-- The school day's facts for the other stations (server/day.ts): seq is a roster revision, taken at commit.
CREATE TABLE IF NOT EXISTS day_facts (
  seq ${int} PRIMARY KEY, id TEXT NOT NULL UNIQUE, station_id TEXT NOT NULL, school_date TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS day_facts_by_date ON day_facts (school_date, seq);
-- What the backend would send to parents: one row per pass or sale event, never two.
CREATE TABLE IF NOT EXISTS notifications (
  event_id TEXT PRIMARY KEY, holder_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
  created_at TEXT NOT NULL, sent_at TEXT);
${dialect === 'postgres' ? ADDED_COLUMNS.map((c) => `ALTER TABLE ${c.table} ADD COLUMN IF NOT EXISTS ${c.column} ${c.type};`).join('\n') : ''}
`;
}
