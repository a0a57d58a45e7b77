import type { MenuItem } from '../common/domain.ts';
import type { StationEvent } from '../common/events.ts';
import type { AttentionItem, BackendIdentity, DayReply, PushResult, RosterPage, SchoolSettings } from '../common/sync-api.ts';

/**
 * The store as sync/ needs it: no SQL crosses this line. sync/ pulls pages and photos into it and
 * pushes the outbox out of it; the station implements it over its SQLite store (station/sync-store.ts).
 * sync/ owns this interface, so sync/ depends on no other layer of the station.
 */
export interface SyncStore {
  /** The oldest waiting events, in station order (never those held back for another backend). */
  pendingEvents(limit: number): StationEvent[];
  pendingCount(): number;

  /** The backend the station's roster and waiting events belong to; null when it never learnt one. */
  backend(): BackendIdentity | null;
  /**
   * Enrolled with `next` (before its credentials are kept): the same backend keeps everything; another
   * one takes the place of the old one's data (the station's rule). Throws to refuse the enrollment.
   */
  switchBackend(next: BackendIdentity, baseUrl: string, previousUrl: string | null): void;
  /** A station that did not know its backend's identity (enrolled before backends had one) learns it. */
  learnBackend(identity: BackendIdentity): void;
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

  /** The school's settings the last roster page brought (the defaults before one has): time zone, offline cap, subsidy share, release feed. */
  schoolSettings(): SchoolSettings;

  getState(key: string): string | null;
  setState(key: string, value: string | null): void;

  /** Anomalies and invalid events nobody has dismissed yet, newest first. */
  attention(limit: number): AttentionItem[];
  attentionCount(): number;
  clearAttention(id: string): void;
}
