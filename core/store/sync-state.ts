import { schoolSettingsFrom, type SchoolSettings } from '../../common/sync-api.ts';
import type { Db } from './db.ts';

const SCHOOL_SETTINGS = 'school_settings';

/** Small named values the sync loop keeps between runs (`sync_state`: cursors, the last contact). */
export class SyncState {
  readonly #get;
  readonly #put;
  readonly #del;
  /** Read on every tap and sale: parsed once, dropped when the roster brings new settings. */
  #school: SchoolSettings | null = null;

  constructor(db: Db) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?');
    this.#put = db.prepare<[string, string], never>('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#del = db.prepare<[string], never>('DELETE FROM sync_state WHERE key = ?');
  }

  get(key: string): string | null {
    return this.#get.get(key)?.value ?? null;
  }

  set(key: string, value: string | null): void {
    if (value === null) this.#del.run(key);
    else this.#put.run(key, value);
    if (key === SCHOOL_SETTINGS) this.#school = null;
  }

  /**
   * The school's settings from the backend (time zone, offline cap, subsidy share, release feed), with
   * the defaults until a roster page has brought them. Every school day the station counts is in this
   * `timeZone` (common/school-time.ts).
   */
  schoolSettings(): SchoolSettings {
    this.#school ??= schoolSettingsFrom(this.get(SCHOOL_SETTINGS));
    return this.#school;
  }
}
