import { Settings, SettingsPatch, settingsFromStored, type Settings as SettingsT } from '../../common/settings.ts';
import type { Db } from './db.ts';

/** Station settings, one validated JSON document under one key. */
export class SettingsRepo {
  readonly #db: Db;
  #cache: SettingsT | null = null;
  #dropped: string[] = [];

  constructor(db: Db) {
    this.#db = db;
  }

  get(): SettingsT {
    if (this.#cache) return this.#cache;
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'station'").get();
    // A stored document that no longer validates (older build, hand edit) falls back field by field to
    // defaults: a bad pulse length must not forget the mode, the readers or the backend.
    const { settings, dropped } = settingsFromStored(row?.value ?? null);
    this.#dropped = dropped;
    this.#cache = settings;
    return this.#cache;
  }

  /** The stored fields that did not validate and were read as their defaults (names only, for IT's log). */
  droppedFields(): readonly string[] {
    this.get();
    return this.#dropped;
  }

  /** Validates the merged document; throws a ZodError naming the field when it is wrong. */
  update(patch: unknown): SettingsT {
    const p = SettingsPatch.parse(patch);
    const next = Settings.parse({ ...this.get(), ...p });
    this.#db
      .prepare("INSERT INTO settings (key, value) VALUES ('station', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify(next));
    this.#cache = next;
    return next;
  }
}
