import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { loadMigrations, migrate, openDatabase } from '../../core/store/db.ts';
import { openStore } from '../../core/store/index.ts';
import { useTempDir } from '../helpers/temp-dir.ts';
import { foundCard } from '../../core/store/roster.ts';

const tempDir = useTempDir();

describe('store', () => {
  it('migrates an empty file to the latest schema and a re-run changes nothing', () => {
    const path = join(tempDir(), 'station.db');
    const migrations = loadMigrations();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['students', 'staff', 'cards', 'accounts', 'menu_items', 'settings', 'outbox']));
    db.prepare("INSERT INTO settings (key, value) VALUES ('probe', '1')").run();
    expect(migrate(db, migrations)).toBe(migrations.length);
    db.close();
    const again = openDatabase(path);
    expect(again.prepare("SELECT value FROM settings WHERE key = 'probe'").get()).toEqual({ value: '1' });
    again.close();
  });

  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout on every connection', () => {
    const path = join(tempDir(), 'station.db');
    for (let i = 0; i < 2; i++) {
      const db = openDatabase(path);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // better-sqlite3 defaults WAL databases to NORMAL (1); the station needs FULL (2) for durable appends.
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      db.close();
    }
  });

  it('refuses a database written by a newer station instead of damaging it', () => {
    const path = join(tempDir(), 'station.db');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(path)).toThrow(/newer station/);
  });

  it('finds a card by technology and canonical uid with its holder, and never by the wrong technology', () => {
    const store = openStore(join(tempDir(), 'station.db'), systemClock());
    store.roster.upsertStudents([{ id: 'S1', fullName: 'Петров Иван', className: '5А', photoHash: null, status: 'active' }]);
    store.roster.upsertCards([{ technology: 'em4100', uid: '06008E6D5D', holderKind: 'student', holderId: 'S1', status: 'active', validUntil: null }]);
    expect(foundCard(store.roster.lookupCard({ technology: 'em4100', uid: '06008E6D5D' }))?.holder).toEqual({
      kind: 'student',
      id: 'S1',
      fullName: 'Петров Иван',
      group: '5А',
      photoHash: null,
    });
    expect(store.roster.lookupCard({ technology: 'iso14443', uid: '06008E6D5D' })).toBeNull();
    store.close();
  });

  it('validates settings and names the wrong field; an untouched field keeps its value', () => {
    const store = openStore(join(tempDir(), 'station.db'), systemClock());
    store.settings.update({ locale: 'en' });
    store.settings.update({ mode: 'guard' });
    expect(store.settings.get()).toMatchObject({ locale: 'en', mode: 'guard' });
    expect(() => store.settings.update({ mode: 'disco' })).toThrow(/mode/);
    expect(() => store.settings.update({ backendUrl: 'ftp://x' })).toThrow(/backendUrl/);
    expect(() => store.settings.update({ colour: 'red' })).toThrow(/colour/);
    store.close();
  });

  it('a bad stored settings document keeps its valid fields; only the bad ones fall back to defaults', () => {
    const path = join(tempDir(), 'station.db');
    const first = openStore(path, systemClock());
    first.settings.update({
      mode: 'guard',
      locale: 'en',
      stationName: 'Вход 1',
      backendUrl: 'https://school.example/api',
      guard: { antiPassback: 'deny', relay: null },
      readers: [{ id: 'entry', kind: 'simulated', role: 'entry', label: '' }],
    });
    first.close();
    // An older build or a hand edit: a mode this build does not know, an anti-passback word it does not know,
    // a name too long, and a field nobody knows.
    const db = new Database(path);
    const stored = JSON.parse(db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'station'").get()!.value) as Record<string, unknown>;
    const bad = { ...stored, mode: 'turnstile', stationName: 'x'.repeat(200), guard: { antiPassback: 'sometimes', relay: null }, colour: 'red' };
    db.prepare("UPDATE settings SET value = ? WHERE key = 'station'").run(JSON.stringify(bad));
    db.close();

    const again = openStore(path, systemClock());
    expect(again.settings.get()).toMatchObject({
      mode: 'unset',
      stationName: '',
      locale: 'en',
      backendUrl: 'https://school.example/api',
      guard: { antiPassback: 'off', relay: null },
      readers: [{ id: 'entry', kind: 'simulated', role: 'entry' }],
    });
    expect([...again.settings.droppedFields()].sort()).toEqual(['guard.antiPassback', 'mode', 'stationName']);
    // The next change writes a document that validates as a whole again.
    again.settings.update({ mode: 'cashier' });
    expect(again.settings.get()).toMatchObject({ mode: 'cashier', locale: 'en', backendUrl: 'https://school.example/api' });
    again.close();
  });

  it('a stored settings document that is not JSON at all reads as the defaults', () => {
    const path = join(tempDir(), 'station.db');
    openStore(path, systemClock()).close();
    const db = new Database(path);
    db.prepare("INSERT INTO settings (key, value) VALUES ('station', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run('{"mode": "guard", ');
    db.close();
    const store = openStore(path, systemClock());
    expect(store.settings.get()).toMatchObject({ mode: 'unset', locale: 'ru' });
    store.close();
  });
});
