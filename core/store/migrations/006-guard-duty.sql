-- 006: who is on duty at the guard post (issue 5). A duty starts when a guard or supervisor signs in with
-- their PIN (or types it for a manual action) and ends when they sign out, another signs in, or the school
-- day ends (`ends_at`). The open duty (`ended_at` NULL) survives a station restart within the day.
CREATE TABLE guard_duties (
  id TEXT PRIMARY KEY,             -- UUIDv7, also in the guard_duty_start / guard_duty_end events
  staff_id TEXT NOT NULL,
  full_name TEXT NOT NULL,
  position TEXT NOT NULL,
  school_date TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,           -- the end of the school day, UTC
  ended_at TEXT,
  end_cause TEXT                   -- signed_out | replaced | day_ended | not_allowed
);
CREATE INDEX guard_duties_open ON guard_duties (ended_at) WHERE ended_at IS NULL;
