-- 008: the school's day as the school's other stations left it (the backend's GET /v1/day), kept apart
-- from the outbox: these are others' facts, never something this station sends. Each fact is stored
-- under its own key once, however often it arrives.
CREATE TABLE school_facts (
  id            TEXT PRIMARY KEY,
  seq           INTEGER NOT NULL,           -- the backend's order of facts (its revision counter)
  event_id      TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('pass', 'meal')),
  station_id    TEXT NOT NULL,
  holder_id     TEXT NOT NULL,
  holder_kind   TEXT,                       -- pass: student | staff
  school_date   TEXT NOT NULL,
  at            TEXT NOT NULL,              -- UTC, corrected by the other station's clock offset
  direction     TEXT,                       -- pass: in | out
  verdict       TEXT,                       -- pass: allow | deny
  manual        INTEGER NOT NULL DEFAULT 0, -- pass: let through by the guard's hand
  meal          TEXT,                       -- meal: sale | void | group_meal
  spent         INTEGER NOT NULL DEFAULT 0, -- meal: change to the day's account debits (kopecks)
  subsidy_meals INTEGER NOT NULL DEFAULT 0,
  offline_spent INTEGER NOT NULL DEFAULT 0,
  received_at   TEXT NOT NULL
);
CREATE INDEX school_facts_passes ON school_facts (school_date, kind, at);
CREATE INDEX school_facts_holder ON school_facts (holder_id, school_date, kind, seq);

-- A child's school-wide figures for a day as the last roster page brought them, with the fact seq they
-- already include (as_of): the till adds only facts after it, so nothing is counted twice.
CREATE TABLE school_figures (
  holder_id     TEXT NOT NULL,
  school_date   TEXT NOT NULL,
  spent         INTEGER NOT NULL,
  subsidy_meals INTEGER NOT NULL,
  offline_spent INTEGER NOT NULL,
  as_of         INTEGER NOT NULL,
  PRIMARY KEY (holder_id, school_date)
);

-- The school's other stations and when the backend last heard from each (the roll call says so per post).
CREATE TABLE school_stations (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT,
  last_seen_at TEXT,
  heard_at     TEXT NOT NULL                -- when this station last had the list from the backend
);
