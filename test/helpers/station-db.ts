/**
 * Opens a station's encrypted database the way the station does (its `data` key from the key files
 * beside the data folder), for tests that look at rows a person cannot see on screen.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { applyKey, type Db } from '../../core/store/db.ts';
import { deriveKey, fileKeyStore, keyDirFor } from '../../node/key-file.ts';

export function openStationDb(dataDir: string, options: { readonly?: boolean } = {}): Db {
  const db = new Database(join(dataDir, 'station.db'), { readonly: options.readonly ?? true });
  applyKey(db, deriveKey(fileKeyStore(keyDirFor(dataDir)).key('data'), 'database'));
  return db;
}
