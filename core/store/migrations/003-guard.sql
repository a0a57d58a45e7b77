-- 003: the guard post (issue 5): the local pass log behind the feed, counters and roll call; the spare-card
-- stock; emergency-mode periods. Events for the backend go to the outbox in the same transaction.

-- One row per thing the guard saw: a tap (any verdict), a manual open, a visitor, a flood alarm, a spare card.
CREATE TABLE guard_passes (
  id           TEXT PRIMARY KEY,            -- UUIDv7 (time-ordered)
  at           TEXT NOT NULL,               -- UTC instant by the station's clock
  school_date  TEXT NOT NULL,               -- YYYY-MM-DD in the school's time zone
  kind         TEXT NOT NULL CHECK (kind IN ('tap', 'manual', 'visitor', 'flood', 'spare_bind', 'spare_return', 'emergency')),
  reader_id    TEXT,
  direction    TEXT CHECK (direction IN ('in', 'out')),
  verdict      TEXT NOT NULL CHECK (verdict IN ('allow', 'deny', 'info')),
  reason       TEXT NOT NULL,
  alarm        INTEGER NOT NULL DEFAULT 0,
  notices      TEXT NOT NULL DEFAULT '[]',
  holder_kind  TEXT CHECK (holder_kind IN ('student', 'staff')),
  holder_id    TEXT,
  full_name    TEXT,                        -- copied at the time: the feed shows who it was then
  group_name   TEXT,
  photo_hash   TEXT,
  technology   TEXT,
  uid          TEXT,
  gate_opened  INTEGER NOT NULL DEFAULT 0,
  note         TEXT,
  event_id     TEXT                         -- the outbox event, when one was sent
);
CREATE INDEX guard_passes_by_day ON guard_passes (school_date, id);
CREATE INDEX guard_passes_alarms ON guard_passes (school_date, id) WHERE alarm = 1;
CREATE INDEX guard_passes_by_holder ON guard_passes (holder_id, school_date, id) WHERE holder_id IS NOT NULL;

-- The school's reserve stock of spare cards, handed out for a day to a child who forgot theirs.
CREATE TABLE spare_cards (
  technology  TEXT NOT NULL CHECK (technology IN ('iso14443', 'em4100')),
  uid         TEXT NOT NULL,
  label       TEXT NOT NULL DEFAULT '',
  holder_kind TEXT CHECK (holder_kind IN ('student', 'staff')),
  holder_id   TEXT,
  bound_at    TEXT,
  bound_until TEXT,
  PRIMARY KEY (technology, uid)
) WITHOUT ROWID;

CREATE TABLE guard_emergencies (
  id          TEXT PRIMARY KEY,
  started_at  TEXT NOT NULL,
  started_by  TEXT,
  ended_at    TEXT,
  ended_by    TEXT
);
