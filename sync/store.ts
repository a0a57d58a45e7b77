import type { MenuItem } from '../common/domain.ts';
import type { StationEvent } from '../common/events.ts';
import type { AttentionItem, DayReply, PushResult, RosterPage } from '../common/sync-api.ts';

/**
 * The store as sync/ needs it: no SQL crosses this line. sync/ pulls pages and photos into it and
 * pushes the outbox out of it; the station implements it over its SQLite store (station/sync-store.ts).
 * sync/ owns this interface, so sync/ depends on no other layer of the station.
 */
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

  /**
   * Merges a reply of the school's day (GET /v1/day): new facts stored once each, the other stations
   * and the cursor, in one transaction. Returns the facts that were new.
   */
  applyDay(reply: DayReply): DayReply['facts'];

  getState(key: string): string | null;
  setState(key: string, value: string | null): void;

  /** Anomalies and invalid events nobody has dismissed yet, newest first. */
  attention(limit: number): AttentionItem[];
  attentionCount(): number;
  clearAttention(id: string): void;
}
