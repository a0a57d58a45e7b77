-- 009: the visitors the school's other posts let in today (the backend's `visitor` day facts). A table of
-- its own, not a kind of school_facts: those rows are ids the roster holds (holder_id NOT NULL, forgotten
-- with the person), these carry the name the other post's guard wrote at the desk and no holder at all.
-- Kept for the school day only, like the other facts; inside the station's encrypted database.
CREATE TABLE school_visitors (
  id           TEXT PRIMARY KEY,            -- the visitor_pass event id: stored once however often it arrives
  seq          INTEGER NOT NULL,
  station_id   TEXT NOT NULL,               -- the post that let the visitor in
  school_date  TEXT NOT NULL,
  at           TEXT NOT NULL,               -- UTC, corrected by the other station's clock offset
  direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  visitor_name TEXT NOT NULL,
  reason       TEXT NOT NULL,
  received_at  TEXT NOT NULL
);
CREATE INDEX school_visitors_day ON school_visitors (school_date, at);
