/**
 * The store as sync/ sees it: no SQL crosses this line. sync/ pulls pages and photos into it and
 * pushes the outbox out of it; core/ implements it over the station's SQLite store.
 */
import type { MenuItem } from '../common/domain.ts';
import type { StationEvent } from '../common/events.ts';
import type { AttentionItem, PushResult, RosterPage } from '../common/sync-api.ts';
import type { Logger } from './logger.ts';
import { PhotoStore } from './photos.ts';
import type { Store } from './store/index.ts';

export interface SyncStore {
  /** The oldest waiting events, in station order. */
  pendingEvents(limit: number): StationEvent[];
  pendingCount(): number;
  /** The backend's answers, all in one transaction. A duplicate is kept as its first answer when that was not plain acceptance. */
  recordResults(results: readonly PushResult[]): void;
  recordAttempt(ids: readonly string[], error: string): void;
  onOutboxChange(listener: () => void): () => void;

  rosterCursor(): string | null;
  /** Upserts, tombstone deletes and the new cursor in one transaction. */
  applyRosterPage(page: RosterPage): void;
  /** Portrait hashes the roster names that are not on disk yet. */
  missingPhotos(limit: number): string[];
  /** Verifies the bytes against the hash, writes the file, records it. Throws on a mismatch. */
  savePhoto(hash: string, bytes: Uint8Array): void;
  /** Replaces the menu of one school day. */
  applyMenu(date: string, items: readonly MenuItem[]): void;

  getState(key: string): string | null;
  setState(key: string, value: string | null): void;

  /** Anomalies and invalid events nobody has dismissed yet, newest first. */
  attention(limit: number): AttentionItem[];
  attentionCount(): number;
  clearAttention(id: string): void;
}

export function createSyncStore(store: Store, photos: PhotoStore, log?: Pick<Logger, 'info'>): SyncStore {
  const { db, outbox, roster } = store;
  const setCode = db.prepare<[string | null, string], never>('UPDATE outbox SET result_code = ? WHERE id = ?');
  const getState = db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?');
  const putState = db.prepare<[string, string], never>(
    'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const delState = db.prepare<[string], never>('DELETE FROM sync_state WHERE key = ?');
  const deletes = {
    student: db.prepare<[string], never>('DELETE FROM students WHERE id = ?'),
    staff: db.prepare<[string], never>('DELETE FROM staff WHERE id = ?'),
    account: db.prepare<[string], never>('DELETE FROM accounts WHERE holder_id = ?'),
    card: db.prepare<[string, string], never>('DELETE FROM cards WHERE technology = ? AND uid = ?'),
  };
  // The spare-card stock (issue 5). A card added again after its removal is back in the stock.
  const upsertSpare = db.prepare<[string, string, string], never>(
    `INSERT INTO spare_cards (technology, uid, label) VALUES (?, ?, ?)
     ON CONFLICT (technology, uid) DO UPDATE SET label = excluded.label, removed_at = NULL`,
  );
  const deleteFreeSpare = db.prepare<[string, string], never>('DELETE FROM spare_cards WHERE technology = ? AND uid = ? AND holder_id IS NULL');
  // Handed out right now: the child keeps it until it is returned or its day ends (GuardPost drops it then).
  const markSpareRemoved = db.prepare<[string, string, string], never>(
    'UPDATE spare_cards SET removed_at = ? WHERE technology = ? AND uid = ? AND holder_id IS NOT NULL AND removed_at IS NULL',
  );
  // A spare card this post handed out, brought back at another post (issue 5): the server's return removes
  // the temporary card row for everyone, and the tombstone is the only word this post gets of it.
  const boundSpare = db.prepare<[string, string], { holder_id: string; removed_at: string | null }>(
    'SELECT holder_id, removed_at FROM spare_cards WHERE technology = ? AND uid = ? AND holder_id IS NOT NULL',
  );
  const tempCardHolder = db.prepare<[string, string], { holder_id: string }>(
    "SELECT holder_id FROM cards WHERE technology = ? AND uid = ? AND status = 'temporary'",
  );
  // This post's latest binding of the card: pending means the server has not seen it yet.
  const lastBindStatus = db.prepare<[string, string], { status: string }>(
    `SELECT status FROM outbox WHERE type = 'temp_card_bind'
       AND json_extract(payload, '$.card.technology') = ? AND json_extract(payload, '$.card.uid') = ?
     ORDER BY seq DESC LIMIT 1`,
  );
  /**
   * The server removed a card. When it was the temporary card of a spare this post handed out:
   * - the server has this post's binding (acknowledged, or refused): the card was brought back at another
   *   post, so it is back in this post's stock (or leaves it, if IT removed it meanwhile). A removal older
   *   than an acknowledged binding is followed in the same pull by that binding's card row, so the card
   *   then shows as handed out (at "another post") and can still be taken back here;
   * - the server has not seen the binding yet (this post was offline): the removal is older than the
   *   binding, so the card row stays and the child keeps passing; the push binds it on the server.
   */
  const removeCard = (technology: string, uid: string): void => {
    const spare = boundSpare.get(technology, uid);
    const ours = spare !== undefined && tempCardHolder.get(technology, uid)?.holder_id === spare.holder_id;
    const bind = ours ? lastBindStatus.get(technology, uid) : undefined;
    if (ours && bind?.status === 'pending') return;
    deletes.card.run(technology, uid);
    if (!ours) return;
    roster.spareBack({ technology, uid }, spare.removed_at !== null);
    log?.info(
      { card: `${technology}:${uid}`, holder: spare.holder_id },
      spare.removed_at ? 'sync: spare card brought back at another post; it leaves the stock (IT removed it)' : 'sync: spare card brought back at another post; back in stock here',
    );
  };
  const missing = db.prepare<[number], { hash: string }>(
    `SELECT DISTINCT photo_hash AS hash FROM (SELECT photo_hash FROM students UNION ALL SELECT photo_hash FROM staff)
     WHERE photo_hash IS NOT NULL AND photo_hash NOT IN (SELECT hash FROM photos) LIMIT ?`,
  );
  const putPhoto = db.prepare<[string, number, string], never>(
    'INSERT INTO photos (hash, size, fetched_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING',
  );
  const attention = db.prepare<[number], { id: string; seq: number; type: string; occurred_at: string; status: 'anomaly' | 'invalid'; result_code: string | null; result_message: string | null }>(
    `SELECT id, seq, type, occurred_at, status, result_code, result_message FROM outbox
     WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL ORDER BY seq DESC LIMIT ?`,
  );
  const attentionCount = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM outbox WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL",
  );
  const clearAttention = db.prepare<[string, string], never>('UPDATE outbox SET attention_cleared_at = ? WHERE id = ?');
  const deleteMenuDay = db.prepare<[string], never>('DELETE FROM menu_items WHERE date = ?');

  const recordResults = db.transaction((results: readonly PushResult[]) => {
    const stored = results.map((r) => {
      if (r.status !== 'duplicate' || !r.first || r.first.status === 'accepted') return r;
      // The first delivery's reply was lost: keep its anomaly or refusal visible.
      return { id: r.id, status: r.first.status, code: r.first.code, message: r.first.message };
    });
    outbox.recordResults(stored.map((r) => ({ id: r.id, status: r.status, ...(r.message !== undefined ? { message: r.message } : {}) })));
    for (const r of stored) setCode.run(r.code ?? null, r.id);
  });

  const applyPage = db.transaction((page: RosterPage) => {
    roster.upsertStudents(page.students);
    roster.upsertStaff(page.staff);
    roster.upsertCards(page.cards);
    roster.upsertAccounts(page.accounts);
    for (const c of page.spareCards) upsertSpare.run(c.technology, c.uid, c.label);
    for (const t of page.tombstones) {
      if (t.kind === 'card' || t.kind === 'spare_card') {
        const at = t.id.indexOf(':');
        const [technology, uid] = [t.id.slice(0, at), t.id.slice(at + 1)];
        if (t.kind === 'card') removeCard(technology, uid);
        else if (deleteFreeSpare.run(technology, uid).changes > 0) log?.info({ card: t.id }, 'sync: spare card removed from the stock by the server');
        else if (markSpareRemoved.run(new Date().toISOString(), technology, uid).changes > 0) {
          log?.info({ card: t.id }, 'sync: spare card removed from the stock by the server; it is handed out now and leaves the stock when it comes back');
        }
      } else if (t.kind === 'student' || t.kind === 'staff' || t.kind === 'account') deletes[t.kind].run(t.id);
      else log?.info({ kind: t.kind, id: t.id }, 'sync: skipped a removal of a kind this station does not keep (newer backend)');
    }
    putState.run('roster_cursor', page.cursor);
  });

  const applyMenu = db.transaction((date: string, items: readonly MenuItem[]) => {
    deleteMenuDay.run(date);
    roster.upsertMenu(items.filter((i) => i.date === date));
  });

  return {
    pendingEvents: (limit) =>
      outbox.pendingBatch(limit).map((r) => ({ id: r.id, seq: r.seq, type: r.type, occurredAt: r.occurredAt, clockOffsetMs: r.clockOffsetMs, payload: r.payload })),
    pendingCount: () => outbox.pendingCount(),
    recordResults: (results) => recordResults(results),
    recordAttempt: (ids, error) => outbox.recordAttempt(ids, error),
    onOutboxChange: (listener) => outbox.onChange(listener),
    rosterCursor: () => getState.get('roster_cursor')?.value ?? null,
    applyRosterPage: (page) => applyPage(page),
    missingPhotos: (limit) => missing.all(limit).map((r) => r.hash),
    savePhoto(hash, bytes) {
      const actual = PhotoStore.hashOf(bytes);
      if (actual !== hash) throw new Error(`photo ${hash} arrived with different content (sha256 ${actual})`);
      photos.put(bytes);
      putPhoto.run(hash, bytes.byteLength, new Date().toISOString());
    },
    applyMenu: (date, items) => applyMenu(date, items),
    getState: (key) => getState.get(key)?.value ?? null,
    setState: (key, value) => (value === null ? delState.run(key) : putState.run(key, value)),
    attention: (limit) =>
      attention.all(limit).map((r) => ({
        id: r.id,
        seq: r.seq,
        type: r.type,
        occurredAt: r.occurred_at,
        status: r.status,
        code: r.result_code,
        message: r.result_message,
      })),
    attentionCount: () => attentionCount.get()?.n ?? 0,
    clearAttention: (id) => clearAttention.run(new Date().toISOString(), id),
  };
}
