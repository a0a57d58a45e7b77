import type { CanonicalCard } from '../common/card-id.ts';
import type { DayReply, PushResult, RosterPage } from '../common/sync-api.ts';
import type { SyncStore } from '../sync/store.ts';
import { DAY_CURSOR_KEY, DAY_HEARD_KEY } from '../sync/day.ts';
import type { Logger } from '../common/logger.ts';
import { cardRemovedByServer, spareRemovedByServer } from '../core/guard/spare-cards.ts';
import { PhotoStore } from '../node/photos.ts';
import { currentBackend, heldRanges, setCurrentBackend, switchBackend } from '../core/backend-switch.ts';
import type { BackendIdentity } from '../common/sync-api.ts';
import type { Store } from '../core/store/index.ts';

/** The station's side of sync/'s SyncStore: the store's repositories behind the interface sync/ owns. */
export function createSyncStore(
  store: Store,
  photos: PhotoStore,
  log?: Pick<Logger, 'info' | 'warn'>,
  /** Told after the station's backend changed or was learnt (the station applies its demo rule). */
  onBackend?: (identity: BackendIdentity) => void,
  /** Told, after the page is committed, who was removed: what the screens show of them must go too. */
  onPeopleRemoved?: (people: { kind: 'student' | 'staff'; id: string }[]) => void,
): SyncStore {
  const { db, outbox, roster, spares, syncState, schoolDay } = store;

  const recordResults = db.transaction((results: readonly PushResult[]) => {
    const stored = results.map((r) => {
      if (r.status !== 'duplicate' || !r.first || r.first.status === 'accepted') return r;
      // The first delivery's reply was lost: keep its anomaly or refusal visible.
      return { id: r.id, status: r.first.status, code: r.first.code, rule: r.first.rule, message: r.first.message };
    });
    outbox.recordResults(stored.map((r) => ({ id: r.id, status: r.status, ...(r.message !== undefined ? { message: r.message } : {}) })));
    // The reason in a word: the result's code, else the backend's rule (e.g. person_removed), for the attention list.
    outbox.recordResultCodes(stored.map((r) => ({ id: r.id, code: r.code ?? r.rule ?? null })));
  });

  const applyPage = db.transaction((page: RosterPage): { photos: string[]; removed: { kind: 'student' | 'staff'; id: string }[] } => {
    // Portraits this page may leave unnamed: a removed person's, and any whose owner got another (or none).
    const candidates: string[] = [];
    const removed: { kind: 'student' | 'staff'; id: string }[] = [];
    roster.upsertStudents(page.students);
    roster.upsertStaff(page.staff);
    roster.upsertCards(page.cards);
    roster.upsertAccounts(page.accounts);
    for (const c of page.spareCards) spares.synced(c);
    for (const t of page.tombstones) {
      if (t.kind === 'card' || t.kind === 'spare_card') {
        const at = t.id.indexOf(':');
        const card = { technology: t.id.slice(0, at) as CanonicalCard['technology'], uid: t.id.slice(at + 1) };
        // What a removed card means for a spare handed out here is the guard post's rule, not sync's.
        if (t.kind === 'card') cardRemovedByServer(store, card, log);
        else spareRemovedByServer(store, card, new Date().toISOString(), log);
      } else if (t.kind === 'student' || t.kind === 'staff') {
        // A person who left: their row, cards, account, the passes and duties copied with their name.
        const hash = roster.person(t.kind, t.id)?.photoHash;
        if (hash) candidates.push(hash);
        roster.remove(t.kind, t.id);
        store.passes.forgetHolder(t.id);
        store.schoolDay.forgetHolder(t.id);
        if (t.kind === 'staff') store.guardLog.forgetStaff(t.id);
        removed.push({ kind: t.kind, id: t.id });
      } else if (t.kind === 'account') roster.remove(t.kind, t.id);
      else log?.info({ kind: t.kind, id: t.id }, 'sync: skipped a removal of a kind this station does not keep (newer backend)');
    }
    // The school-wide figures of the page's accounts, in the same transaction as the accounts (whose
    // triggers mark which of this till's own sales the figures already include).
    if (page.today?.asOf !== undefined)
      schoolDay.putFigures(
        page.today.date,
        page.today.asOf,
        page.accounts.map((a) => a.holderId),
        page.today.figures,
      );
    syncState.set('roster_cursor', page.cursor);
    candidates.push(...roster.takeOrphanPhotos());
    return { photos: candidates.filter((h) => !roster.photoReferenced(h)), removed };
  });

  const applyDay = db.transaction((reply: DayReply) => {
    const now = new Date().toISOString();
    // Only the school's day is kept: yesterday's facts go when today's first reply comes.
    schoolDay.dropBefore(reply.date);
    const fresh = schoolDay.add(reply.facts, now);
    schoolDay.setStations(reply.stations, now);
    syncState.set(DAY_CURSOR_KEY, reply.cursor);
    syncState.set(DAY_HEARD_KEY, now);
    return fresh;
  });

  const applyRosterPage = (page: RosterPage): void => {
    // Files go after the rows are committed: a crash in between leaves a file nobody names (deleted on
    // the next removal), never a row naming a missing file.
    const applied = applyPage(page);
    for (const hash of applied.photos) photos.remove(hash);
    if (applied.removed.length) onPeopleRemoved?.(applied.removed);
  };

  return {
    pendingEvents: (limit) =>
      outbox
        .pendingBatch(limit, heldRanges(store))
        .map((r) => ({ id: r.id, seq: r.seq, type: r.type, occurredAt: r.occurredAt, clockOffsetMs: r.clockOffsetMs, payload: r.payload })),
    pendingCount: () => outbox.pendingCount(heldRanges(store)),
    backend: () => currentBackend(store),
    switchBackend(next, baseUrl, previousUrl) {
      switchBackend(store, photos, next, { baseUrl, previousUrl }, new Date().toISOString(), log);
      onBackend?.(next);
    },
    learnBackend(identity) {
      setCurrentBackend(store, identity);
      log?.info({ backend: identity.id, demo: identity.demo }, "sync: learnt the backend's identity");
      onBackend?.(identity);
    },
    recordResults: (results) => recordResults(results),
    recordAttempt: (ids, error) => outbox.recordAttempt(ids, error),
    onOutboxChange: (listener) => outbox.onChange(listener),
    rosterCursor: () => syncState.get('roster_cursor'),
    applyRosterPage,
    missingPhotos: (limit) => roster.missingPhotos(limit),
    savePhoto(hash, bytes) {
      const actual = PhotoStore.hashOf(bytes);
      if (actual !== hash) throw new Error(`photo ${hash} arrived with different content (sha256 ${actual})`);
      photos.put(bytes);
      roster.photoSaved(hash, bytes.byteLength, new Date().toISOString());
    },
    applyMenu: (date, items) => roster.replaceMenu(date, items),
    applyDay: (reply) => applyDay(reply),
    schoolSettings: () => syncState.schoolSettings(),
    getState: (key) => syncState.get(key),
    setState: (key, value) => syncState.set(key, value),
    attention: (limit) =>
      outbox.attention(limit).map((r) => ({
        id: r.id,
        seq: r.seq,
        type: r.type,
        occurredAt: r.occurred_at,
        status: r.status,
        code: r.result_code,
        message: r.result_message,
      })),
    attentionCount: () => outbox.attentionCount(),
    clearAttention: (id) => outbox.clearAttention(id, new Date().toISOString()),
  };
}
