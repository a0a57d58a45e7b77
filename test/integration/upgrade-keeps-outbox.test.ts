/**
 * An update never loses the outbox: a store written by the first release (schema 001 only) is opened
 * by the current code, which runs every later migration; every pending event is still there, in order,
 * byte for byte, and still pending. The old station is killed mid-run (SIGKILL, as a power cut or an
 * installer killing the app would), so part of its writes sit only in the WAL file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventPayloads } from '../../common/events.ts';
import { systemClock } from '../../common/clock.ts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../core/store/db.ts';
import { openStore } from '../../core/store/index.ts';

let dir: string;
let oldMigrations: string;
const PENDING = 250;

/** What release 0.1.0 did: schema 001, events appended with plain SQL, a few already acknowledged. */
const OLD_STATION = String.raw`
const Database = require(process.env.SQLITE_MODULE);
const { readFileSync } = require('node:fs');
const db = new Database(process.env.DB_PATH);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0'); // keep everything in the WAL until the "power cut"
db.transaction(() => {
  db.exec(readFileSync(process.env.MIGRATION_001, 'utf8'));
  db.pragma('user_version = 1');
})();
const insert = db.prepare('INSERT INTO outbox (id, type, occurred_at, clock_offset_ms, payload, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)');
const events = JSON.parse(process.env.EVENTS);
for (const e of events) insert.run(e.id, e.type, e.occurredAt, e.clockOffsetMs, e.payload, e.status, e.attempts);
process.kill(process.pid, 'SIGKILL');
`;

interface OldEvent {
  id: string;
  type: string;
  occurredAt: string;
  clockOffsetMs: number;
  payload: string;
  status: 'pending' | 'accepted';
  attempts: number;
}

function oldEvents(): OldEvent[] {
  const out: OldEvent[] = [];
  for (let i = 0; i < PENDING + 20; i++) {
    const payload = eventPayloads.pass.parse({
      direction: i % 2 ? 'out' : 'in',
      verdict: 'allow',
      reason: 'ok',
      readerId: 'entry-1',
      gate: '1',
      card: { technology: 'iso14443', uid: `04A1B2C3${(i % 256).toString(16).padStart(2, '0').toUpperCase()}` },
      holderKind: 'student',
      holderId: `s-${i}`,
    });
    out.push({
      // UUIDv7-shaped ids in time order, as the old station made them.
      id: `0190f0c2-${(0x1000 + i).toString(16)}-7abc-9def-${String(i).padStart(12, '0')}`,
      type: 'pass',
      occurredAt: new Date(Date.UTC(2025, 2, 4, 7, 30, 0) + i * 1000).toISOString(),
      clockOffsetMs: -1250,
      payload: JSON.stringify(payload),
      // The first 20 were pushed and acknowledged before the update; the rest wait.
      status: i < 20 ? 'accepted' : 'pending',
      attempts: i < 20 ? 1 : i % 3,
    });
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'upgrade-outbox-'));
  oldMigrations = join(dir, 'migrations-0.1.0');
  mkdirSync(oldMigrations);
  copyFileSync(join(DEFAULT_MIGRATIONS_DIR, '001-init.sql'), join(oldMigrations, '001-init.sql'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('upgrade keeps the outbox', () => {
  it('the current code opens a 001-schema store left by a killed old station, with every pending event intact', () => {
    const current = loadMigrations();
    expect(current.length).toBeGreaterThan(1); // a migration-bearing upgrade
    const path = join(dir, 'station.sqlite');
    const events = oldEvents();
    const r = spawnSync(process.execPath, ['-e', OLD_STATION], {
      env: {
        ...process.env,
        SQLITE_MODULE: createRequire(import.meta.url).resolve('better-sqlite3'),
        DB_PATH: path,
        MIGRATION_001: join(oldMigrations, '001-init.sql'),
        EVENTS: JSON.stringify(events),
      },
      encoding: 'utf8',
    });
    expect(r.signal).toBe('SIGKILL');
    // The old station's writes are (at least partly) only in the WAL: this is an unclean stop.
    expect(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size).toBeGreaterThan(0);

    const store = openStore(path, systemClock());
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(current.length);
      expect(store.outbox.pendingCount()).toBe(PENDING);
      const pending = store.outbox.pendingBatch(10_000);
      const expected = events.filter((e) => e.status === 'pending');
      expect(pending.map((p) => p.id)).toEqual(expected.map((e) => e.id)); // same events, same order
      for (const [i, p] of pending.entries()) {
        const e = expected[i]!;
        expect(p).toMatchObject({ type: e.type, occurredAt: e.occurredAt, clockOffsetMs: e.clockOffsetMs, status: 'pending', attempts: e.attempts });
        expect(JSON.stringify(p.payload)).toBe(e.payload);
      }
      // Acknowledged events stay acknowledged; the sequence continues after the old ones, never reusing a number.
      expect(store.outbox.after(0, 10_000).filter((e) => e.status === 'accepted').length).toBe(20);
      const maxOld = Math.max(...store.outbox.after(0, 10_000).map((e) => e.seq));
      const appended = store.outbox.append('pass', eventPayloads.pass.parse(JSON.parse(expected[0]!.payload)));
      expect(appended.seq).toBe(maxOld + 1);
      expect(store.outbox.pendingCount()).toBe(PENDING + 1);
    } finally {
      store.close();
    }
  });

  it('opening the upgraded store again (the next launch) changes nothing', () => {
    const path = join(dir, 'station.sqlite');
    const store = openStore(path, systemClock());
    try {
      expect(store.outbox.pendingCount()).toBe(PENDING + 1);
    } finally {
      store.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('.db_corrupt') || f.endsWith('.fault.json'))).toEqual([]);
  });

  it('a store from a newer build is refused, not silently emptied (a rollback keeps the data for the next upgrade)', () => {
    const path = join(dir, 'newer.sqlite');
    const db = new Database(path);
    db.pragma(`user_version = ${loadMigrations().length + 1}`);
    db.close();
    expect(() => openStore(path, systemClock())).toThrow(/newer station/);
    expect(existsSync(path)).toBe(true);
  });
});
