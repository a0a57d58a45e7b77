/**
 * Staff PINs from the backend, end to end: the reference server keeps them only as salted hashes
 * (admin endpoint, staff CSV `pin` column, the demo school), the roster carries the hash, and the
 * station's till opens a shift with that PIN after a real sync; a changed or cleared PIN stops the
 * old one working after the next sync. On SQLite and PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePinHash } from '../../common/pin-hash.ts';
import { RosterPage } from '../../common/sync-api.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { DomainError } from '../../common/errors.ts';
import { systemClock } from '../../common/clock.ts';
import { verifyPinAsync } from '../../core/pin.ts';
import { PIN_LOCKOUT } from '../../core/staff-pin.ts';
import { ensureDemoSchool, seedDemoSchool } from '../../server/admin.ts';
import { openServerDatabase, type RunningServer } from '../../server/index.ts';
import { Repo } from '../../server/repo.ts';
import { createSyncEngine, type SyncEngine } from '../../sync/engine.ts';
import { fileTokenVault } from '../../sync/token-vault.ts';
import { makeStorage, openRepo, openStation, startInProcessServer, storageLifecycle, tempDir, type Station, type StorageKind } from '../helpers/sync-rig.ts';

const CASHIER = 'E0001'; // demo school: Орлова Т. В., role cashier, demo PIN 1111
const GUARD = 'E0002'; // no cashier role

describe.each<StorageKind>(['sqlite', 'postgres'])('staff PINs from the server on %s', (kind) => {
  const { cleanups, pg } = storageLifecycle(kind);

  async function setup() {
    const t = tempDir('ss-pins-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const seedRepo = await openRepo(storage);
    await seedDemoSchool(seedRepo, { students: 4, menuDays: 1 });
    await seedRepo.db.close();
    const server: RunningServer = await startInProcessServer(storage);
    cleanups.push(() => server.close());
    const clock = systemClock();
    const station: Station = openStation(join(t.dir, 'station'), clock);
    cleanups.push(() => station.store.close());
    const engine: SyncEngine = createSyncEngine({
      store: station.syncStore,
      clock,
      vault: fileTokenVault(station.vaultPath),
      timeoutMs: 5000,
      pushDelayMs: 5,
      pullIntervalMs: 600_000,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    cleanups.push(async () => {
      await engine.stop();
      engine.dispose();
    });
    const { code } = await server.repo.createEnrollmentCode('cashier');
    engine.start();
    await engine.enroll(server.url, code, 'Касса 1');
    const adminToken = await server.repo.createAdminToken();
    const admin = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const till = new Cashier({ store: station.store, clock, isOnline: () => true, exportDir: join(t.dir, 'exports') });
    /** Opens a shift (closing it again at once): the reason code when refused. */
    const tryShift = async (staffId: string, pin: string): Promise<string> => {
      try {
        await till.openShift(staffId, pin);
      } catch (err) {
        if (err instanceof DomainError) return err.reason;
        throw err;
      }
      const closed = await till.closeShift();
      expect(closed).toMatchObject({ ok: true });
      return 'opened';
    };
    const sync = async () => expect(await engine.syncNow()).toMatchObject({ state: 'online', lastError: null });
    const storedPin = (id: string) =>
      station.store.db.prepare<[string], { pin_hash: string | null }>('SELECT pin_hash FROM staff WHERE id = ?').get(id)?.pin_hash ?? null;
    /** The hash the station holds, as the backend made it (stored sealed under the station's key). */
    const stationPin = (id: string) => {
      const row = station.store.roster.staffRow(id);
      return row ? station.store.roster.pinHashOf(row) : null;
    };
    return { storage, server, station, admin, tryShift, sync, stationPin, storedPin };
  }

  it('a PIN set on the server opens a shift at the synced till; a wrong one is refused; a changed one stops the old', async () => {
    const r = await setup();
    await r.sync();
    // The demo school's staff came with their PIN hashes.
    expect(parsePinHash(r.stationPin(CASHIER))).not.toBeNull();
    // …kept sealed: the column holds no scrypt hash an offline search could try PINs against.
    expect(parsePinHash(r.storedPin(CASHIER))).toBeNull();
    expect(r.storedPin(CASHIER)).toMatch(/^sealed1\$/);
    expect(await r.tryShift(CASHIER, '1111')).toBe('opened');
    expect(await r.tryShift(CASHIER, '1112')).toBe('pin_wrong');

    // The roster on the wire carries the hash, never the PIN.
    const creds = JSON.parse(readFileSync(r.station.vaultPath, 'utf8')) as { token: string };
    const raw = await (await fetch(`${r.server.url}/v1/roster`, { headers: { authorization: `Bearer ${creds.token}` } })).text();
    const page = RosterPage.parse(JSON.parse(raw));
    expect(page.staff.find((s) => s.id === CASHIER)!.pinHash).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(raw).not.toMatch(/"pin"/);

    // Set a new PIN through the admin endpoint: one roster delta, the station learns it on the next sync.
    const cursor = Number(r.station.syncStore.rosterCursor());
    const set = await r.admin(`/v1/admin/staff/${CASHIER}/pin`, { pin: '4821' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ staffId: CASHIER, hasPin: true, changed: true });
    const delta = await r.server.repo.rosterPage(cursor, 100);
    expect(delta.staff.map((s) => s.id)).toEqual([CASHIER]);
    expect(await verifyPinAsync('4821', delta.staff[0]!.pinHash ?? null)).toBe(true);
    // The same PIN again changes nothing (its stored hash is kept: no new salt, no delta).
    expect(await (await r.admin(`/v1/admin/staff/${CASHIER}/pin`, { pin: '4821' })).json()).toMatchObject({ changed: false });
    expect((await r.server.repo.rosterPage(cursor, 100)).remaining).toBe(1);

    expect(await r.tryShift(CASHIER, '4821')).toBe('pin_wrong'); // not synced yet
    await r.sync();
    expect(await r.tryShift(CASHIER, '4821')).toBe('opened');
    expect(await r.tryShift(CASHIER, '1111')).toBe('pin_wrong');
    expect(await r.tryShift(CASHIER, '0000')).toBe('pin_wrong');

    // Changed again on the server: after the next sync the previous PIN no longer works.
    expect((await r.admin(`/v1/admin/staff/${CASHIER}/pin`, { pin: '735190' })).status).toBe(200);
    await r.sync();
    expect(await r.tryShift(CASHIER, '4821')).toBe('pin_wrong');
    // Three wrong PINs in a row for this person: the next try waits a second (core/staff-pin.ts).
    await new Promise((ok) => setTimeout(ok, PIN_LOCKOUT.firstDelayMs));
    expect(await r.tryShift(CASHIER, '735190')).toBe('opened');

    // A PIN alone does not give the cashier's role.
    expect((await r.admin(`/v1/admin/staff/${GUARD}/pin`, { pin: '5555' })).status).toBe(200);
    await r.sync();
    expect(await r.tryShift(GUARD, '5555')).toBe('role_missing');

    // Cleared on the server: the station forgets it.
    expect(await (await r.admin(`/v1/admin/staff/${CASHIER}/pin`, { pin: null })).json()).toEqual({ staffId: CASHIER, hasPin: false, changed: true });
    await r.sync();
    expect(r.storedPin(CASHIER)).toBeNull();
    expect(await r.tryShift(CASHIER, '735190')).toBe('pin_wrong');

    // Bad input: a clear answer, nothing stored.
    const bad = await r.admin(`/v1/admin/staff/${CASHIER}/pin`, { pin: '12a4' });
    expect(bad.status).toBe(400);
    const unknown = await r.admin('/v1/admin/staff/E9999/pin', { pin: '1234' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe('not_found');
  });

  it('the staff CSV pin column: hashed on import, a bad PIN rejects its line, re-importing the same file makes no delta', async () => {
    const r = await setup();
    await r.sync();
    const csv = [
      'id,full_name,position,roles,cards,pin',
      'E0100,Соколова Ирина Павловна,Кассир,cashier,iso14443:04D1000000000100,2468',
      'E0101,Лебедев Олег Ильич,Кассир,cashier,,12',
      // No PIN in the file: the demo cashier keeps the one stored.
      `${CASHIER},Орлова Татьяна Викторовна,Кассир,cashier,,`,
    ].join('\n');
    const imported = await r.admin('/v1/admin/staff/import', { csv });
    expect(await imported.json()).toMatchObject({ imported: 2, rejected: [{ line: 3, reason: 'pin is not 4 to 12 digits' }], removed: 0 });
    const stored = await r.server.repo.db.get<{ pin_hash: string }>('SELECT pin_hash FROM staff WHERE id = ?', ['E0100']);
    expect(stored!.pin_hash).not.toContain('2468');
    expect(parsePinHash(stored!.pin_hash)).not.toBeNull();

    await r.sync();
    expect(await r.tryShift('E0100', '2468')).toBe('opened');
    expect(await r.tryShift(CASHIER, '1111')).toBe('opened');

    const cursor = Number(r.station.syncStore.rosterCursor());
    await r.admin('/v1/admin/staff/import', { csv });
    expect((await r.server.repo.rosterPage(cursor, 100)).remaining).toBe(0);

    // A new PIN in the file is a delta the station applies.
    await r.admin('/v1/admin/staff/import', { csv: csv.replace(',2468', ',8642') });
    expect((await r.server.repo.rosterPage(cursor, 100)).staff.map((s) => s.id)).toEqual(['E0100']);
    await r.sync();
    expect(await r.tryShift('E0100', '2468')).toBe('pin_wrong');
    expect(await r.tryShift('E0100', '8642')).toBe('opened');
  });

  it('a server database made before PINs gets the column on open, and the demo school its PINs', async () => {
    const t = tempDir('ss-pins-old-');
    cleanups.push(t.cleanup);
    const storage = await makeStorage(kind, t.dir, pg());
    const repo = await openRepo(storage);
    await seedDemoSchool(repo, { students: 1, menuDays: 1 });
    await repo.db.run('ALTER TABLE staff DROP COLUMN pin_hash');
    await repo.db.close();
    const reopened = await openServerDatabase(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : { dataDir: storage.dataDir! });
    cleanups.push(() => reopened.close());
    expect(await reopened.all('SELECT id, pin_hash FROM staff WHERE pin_hash IS NULL')).toHaveLength(4);
    // `serve --demo` / `npm start` on such a database: nothing re-seeded, the demo staff get their PINs once.
    const upgraded = new Repo(reopened);
    expect(await ensureDemoSchool(upgraded)).toBe(false);
    const hashes = await upgraded.staffPinHashes([CASHIER, GUARD]);
    expect(await verifyPinAsync('1111', hashes.get(CASHIER) ?? null)).toBe(true);
    expect(await verifyPinAsync('2222', hashes.get(GUARD) ?? null)).toBe(true);
    // A PIN IT cleared afterwards stays cleared on the next start.
    await upgraded.db.tx((tx) => upgraded.setStaffPinHash(tx, CASHIER, null), { roster: true });
    await ensureDemoSchool(upgraded);
    expect((await upgraded.staffPinHashes([CASHIER])).has(CASHIER)).toBe(false);
  });
});
