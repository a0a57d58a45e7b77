import type { Db } from './db.ts';

/** Small named values the sync loop keeps between runs (`sync_state`: cursors, the last contact). */
export class SyncState {
  readonly #get;
  readonly #put;
  readonly #del;

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
  }
}
