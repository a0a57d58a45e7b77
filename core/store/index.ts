import type { Clock } from '../../common/clock.ts';
import { openDatabase, type Db, type OpenOptions } from './db.ts';
import { CashierLedger } from './cashier-ledger.ts';
import { GuardLog } from './guard-log.ts';
import { Outbox } from './outbox.ts';
import { PassLog } from './pass-log.ts';
import { Roster } from './roster.ts';
import { SettingsRepo } from './settings-repo.ts';
import { Shifts } from './shifts.ts';
import { SpareStock } from './spare-stock.ts';
import { SyncState } from './sync-state.ts';
import { SchoolDayLog } from './school-day.ts';

/**
 * The station's store: one SQLite connection and the repositories over it. Each table has one
 * repository, the only code that reads or writes it; services compose them and use `db.transaction`
 * to write several together.
 */
export interface Store {
  readonly db: Db;
  readonly path: string;
  readonly outbox: Outbox;
  readonly roster: Roster;
  readonly settings: SettingsRepo;
  readonly spares: SpareStock;
  readonly passes: PassLog;
  readonly guardLog: GuardLog;
  readonly ledger: CashierLedger;
  readonly shifts: Shifts;
  readonly syncState: SyncState;
  /** The school's day from its other stations (passes, meal figures), apart from the outbox. */
  readonly schoolDay: SchoolDayLog;
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
    spares: new SpareStock(db),
    passes: new PassLog(db),
    guardLog: new GuardLog(db),
    ledger: new CashierLedger(db),
    shifts: new Shifts(db),
    syncState: new SyncState(db),
    schoolDay: new SchoolDayLog(db),
    close: () => db.close(),
  };
}

export { StoreFault, clearStoreFault } from './db.ts';
