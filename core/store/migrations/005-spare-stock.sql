-- 005: the spare-card stock comes from the school's server with the roster (issue 5). A card IT removes
-- from the stock while it is handed out stays bound until it is returned or its day ends; `removed_at`
-- marks it, and the guard post drops the row then.
ALTER TABLE spare_cards ADD COLUMN removed_at TEXT;
