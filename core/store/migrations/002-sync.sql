-- 002: what the station's sync needs: which portraits are on disk, and why an event needs attention.
-- Portraits live as content-hash files in the data folder's photos/ (core/photos.ts); this table says
-- which hashes were fetched and verified, so "what is missing" is one query.
CREATE TABLE photos (
  hash       TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  fetched_at TEXT NOT NULL
) WITHOUT ROWID;

-- The backend's reason code for an anomaly or an invalid event (overdraft, conflict, schema, …),
-- and when a person at the station dismissed it from the "needs attention" list.
ALTER TABLE outbox ADD COLUMN result_code TEXT;
ALTER TABLE outbox ADD COLUMN attention_cleared_at TEXT;
CREATE INDEX outbox_attention ON outbox (seq) WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL;
