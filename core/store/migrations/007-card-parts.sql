-- 007: one card, one person, whatever reads it. A card (and a spare card) is stored as it was given,
-- with how much of its number that was (`part`: full, last4 for a 10-digit print, last3 for Wiegand-26,
-- first4 for an ISO reader printing the start of a longer uid). A read is matched on the bytes both
-- know (common/card-match.ts); these indexes let a reader that sees only the end (or the start) of a
-- number find the stored full uids by an index probe, not a scan.
ALTER TABLE cards ADD COLUMN part TEXT NOT NULL DEFAULT 'full' CHECK (part IN ('full', 'last4', 'last3', 'first4'));
CREATE INDEX cards_tail4 ON cards (technology, substr(uid, -8)) WHERE length(uid) > 8;
CREATE INDEX cards_tail3 ON cards (technology, substr(uid, -6)) WHERE length(uid) > 6;
CREATE INDEX cards_head4 ON cards (technology, substr(uid, 1, 8)) WHERE length(uid) > 8;
-- Whether any card is stored from a partial print at all: while none is, a full read is one probe.
CREATE INDEX cards_partial ON cards (part) WHERE part <> 'full';
ALTER TABLE spare_cards ADD COLUMN part TEXT NOT NULL DEFAULT 'full' CHECK (part IN ('full', 'last4', 'last3', 'first4'));
