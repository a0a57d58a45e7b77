import type { Clock } from '../clock.ts';
import { openDatabase, type Db, type OpenOptions } from './db.ts';
import { Outbox } from './outbox.ts';
import { Roster } from './roster.ts';
import { SettingsRepo } from './settings-repo.ts';

/** The station's store: one SQLite connection and the repositories over it. */
export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly outbox: Outbox;
  readonly roster: Roster;
  readonly settings: SettingsRepo;
  close(): void;
}

export function openStore(path: string, clock: Clock, options: OpenOptions = {}): Store {
  const db = openDatabase(path, options);
  return {
    db,
    path,
    outbox: new Outbox(db, clock),
    roster: new Roster(db),
    settings: new SettingsRepo(db),
    close: () => db.close(),
  };
}

export { StoreFault, clearStoreFault } from './db.ts';
