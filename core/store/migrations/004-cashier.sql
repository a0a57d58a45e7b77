-- 004: the cashier's own rows. Every row here is written in the same transaction as its outbox event.
CREATE TABLE cashier_shifts (
  id              TEXT PRIMARY KEY,
  operator_id     TEXT NOT NULL,
  operator_name   TEXT NOT NULL,
  opened_at       TEXT NOT NULL,
  open_event_id   TEXT NOT NULL,
  closed_at       TEXT,
  close_event_id  TEXT,
  report          TEXT
);
CREATE INDEX cashier_shifts_open ON cashier_shifts (opened_at) WHERE closed_at IS NULL;

-- One row per account debit the station made: a sale (id = the renderer's sale id) or one student of
-- a group meal (id = group meal id + ':' + student id). The balance, daily-limit, subsidy and
-- offline-cap figures are all read from here, joined with the outbox to know what the server has seen.
CREATE TABLE cashier_debits (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('sale', 'group_meal')),
  ref_id        TEXT NOT NULL,
  event_id      TEXT NOT NULL,
  shift_id      TEXT,
  holder_id     TEXT NOT NULL,
  school_date   TEXT NOT NULL,
  occurred_at   TEXT NOT NULL,
  total         INTEGER NOT NULL,
  subsidy_part  INTEGER NOT NULL,
  account_part  INTEGER NOT NULL,
  school_part   INTEGER NOT NULL DEFAULT 0,
  subsidy_kind  TEXT,
  offline       INTEGER NOT NULL,
  verified      INTEGER NOT NULL,
  lines         TEXT NOT NULL,
  void_event_id TEXT,
  voided_at     TEXT
);
CREATE INDEX cashier_debits_by_holder ON cashier_debits (holder_id, school_date);
CREATE INDEX cashier_debits_by_shift ON cashier_debits (shift_id, occurred_at);
CREATE INDEX cashier_debits_by_ref ON cashier_debits (ref_id);

-- Taps and sales the station refused (and "not this child"), for the shift report.
CREATE TABLE cashier_refusals (
  id        INTEGER PRIMARY KEY,
  shift_id  TEXT,
  at        TEXT NOT NULL,
  reason    TEXT NOT NULL,
  holder_id TEXT
);
CREATE INDEX cashier_refusals_by_shift ON cashier_refusals (shift_id);

-- Which of the station's own events an account's balance already includes. When the sync writes an
-- account (a fresh figure from the server), every event up to the oldest one still waiting is known
-- to the server, so it is in that figure. Clock-free: compares outbox sequence numbers, not times.
CREATE TABLE cashier_account_sync (
  holder_id TEXT PRIMARY KEY,
  after_seq INTEGER NOT NULL
);
CREATE TRIGGER cashier_account_inserted AFTER INSERT ON accounts BEGIN
  INSERT INTO cashier_account_sync (holder_id, after_seq)
  VALUES (NEW.holder_id, coalesce((SELECT min(seq) FROM outbox WHERE status = 'pending') - 1, (SELECT max(seq) FROM outbox), 0))
  ON CONFLICT (holder_id) DO UPDATE SET after_seq = excluded.after_seq;
END;
CREATE TRIGGER cashier_account_updated AFTER UPDATE OF balance, balance_at ON accounts BEGIN
  INSERT INTO cashier_account_sync (holder_id, after_seq)
  VALUES (NEW.holder_id, coalesce((SELECT min(seq) FROM outbox WHERE status = 'pending') - 1, (SELECT max(seq) FROM outbox), 0))
  ON CONFLICT (holder_id) DO UPDATE SET after_seq = excluded.after_seq;
END;
