import { Settings, SettingsPatch, type Settings as SettingsT } from '../../common/settings.ts';
import type { Db } from './db.ts';

/** Station settings, one validated JSON document under one key. */
export class SettingsRepo {
  readonly #db: Db;
  #cache: SettingsT | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  get(): SettingsT {
    if (this.#cache) return this.#cache;
    const row = this.#db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'station'").get();
    // A stored document that no longer validates (older build, hand edit) falls back field by field to defaults.
    const parsed = Settings.safeParse(row ? JSON.parse(row.value) : {});
    this.#cache = parsed.success ? parsed.data : Settings.parse({});
    return this.#cache;
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
