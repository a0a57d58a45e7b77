-- 001: the station's first schema: roster, accounts, menu, settings and the event outbox.
CREATE TABLE students (
  id          TEXT PRIMARY KEY,
  full_name   TEXT NOT NULL,
  class_name  TEXT NOT NULL,
  photo_hash  TEXT,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left', 'suspended')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX students_by_class ON students (class_name, full_name);

CREATE TABLE staff (
  id          TEXT PRIMARY KEY,
  full_name   TEXT NOT NULL,
  position    TEXT NOT NULL DEFAULT '',
  photo_hash  TEXT,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left', 'suspended')),
  roles       TEXT NOT NULL DEFAULT '[]',
  pin_hash    TEXT,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- A card is only an identifier: (technology, canonical uid) → holder. The balance is the account's.
CREATE TABLE cards (
  technology  TEXT NOT NULL CHECK (technology IN ('iso14443', 'em4100')),
  uid         TEXT NOT NULL,
  holder_kind TEXT NOT NULL CHECK (holder_kind IN ('student', 'staff')),
  holder_id   TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('active', 'blocked', 'lost', 'temporary')),
  valid_until TEXT,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (technology, uid)
) WITHOUT ROWID;
CREATE INDEX cards_by_holder ON cards (holder_id);

CREATE TABLE accounts (
  holder_id            TEXT PRIMARY KEY,
  balance              INTEGER NOT NULL,
  balance_at           TEXT NOT NULL,
  daily_limit          INTEGER,
  forbidden_categories TEXT NOT NULL DEFAULT '[]',
  allergens            TEXT NOT NULL DEFAULT '[]',
  subsidy              TEXT NOT NULL DEFAULT 'none' CHECK (subsidy IN ('none', 'free', 'discounted')),
  parent_note          TEXT
);

CREATE TABLE menu_items (
  date      TEXT NOT NULL,
  id        TEXT NOT NULL,
  name      TEXT NOT NULL,
  category  TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('complex', 'buffet')),
  price     INTEGER NOT NULL CHECK (price >= 0),
  allergens TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (date, id)
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Events are facts, appended once. seq is the station's sequence number (AUTOINCREMENT: never reused).
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  type            TEXT NOT NULL,
  occurred_at     TEXT NOT NULL,
  clock_offset_ms INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'duplicate', 'anomaly', 'invalid')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  result_message  TEXT,
  acked_at        TEXT
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE status = 'pending';
CREATE INDEX outbox_by_type_time ON outbox (type, occurred_at);

CREATE TABLE sync_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
