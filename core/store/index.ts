import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../common/clock.ts';
import { fileKeyStore, keyDirFor } from '../../node/key-file.ts';
import { pinSeal, type PinSeal } from '../pin-seal.ts';
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

export interface StoreOptions extends OpenOptions {
  /**
   * How staff PIN hashes are sealed at rest (core/pin-seal.ts). Default: under the station's `data` key
   * in the key folder beside the data folder (node/key-file.ts), as the station itself does without the
   * Electron shell; the station always passes the seal it made from the key it was given.
   */
  pinSeal?: PinSeal;
}

export function openStore(path: string, clock: Clock, options: StoreOptions = {}): Store {
  const seal = options.pinSeal ?? pinSeal(path === ':memory:' ? randomBytes(32) : fileKeyStore(keyDirFor(dirname(path))).key('data'));
  const db = openDatabase(path, options);
  const roster = new Roster(db, seal);
  // Hashes an older build stored in clear are sealed now, once.
  if (!options.readonly) roster.sealClearPins();
  return {
    db,
    path,
    outbox: new Outbox(db, clock),
    roster,
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
