/**
 * The station trusts nobody at its screen: tried as someone standing at it would, without a credential.
 * A real station (real SQLite file in a temp folder), the reference server on loopback, a real relay
 * board on a socat pty pair, and the real WebSocket bridge for the "one window's session" case.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../common/contract/index.ts';
import { parsePinHash } from '../../common/pin-hash.ts';
import { systemClock } from '../../common/clock.ts';
import { newCaller, type Caller } from '../../common/contract/router.ts';
import { startWsBridge } from '../../core/bridge/ws-server.ts';
import { hashPin } from '../../core/pin.ts';
import { StaffPins } from '../../core/staff-pin.ts';
import { openStore } from '../../core/store/index.ts';
import { ensureDemoSchool, importStaffCsv } from '../../server/admin.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import Database from 'better-sqlite3-multiple-ciphers';
import { deriveKey, fileKeyStore, keyDirFor } from '../../node/key-file.ts';
import { pinSeal } from '../../core/pin-seal.ts';
import { createStation } from '../../station/station.ts';
import { updateAudit } from '../../station/it-access.ts';
import { startLcusBoard } from '../helpers/lcus-board.ts';
import { startPtyPair, type PtyPair } from '../helpers/socat.ts';
import { silentLogger } from '../../node/logger.ts';
import { attachUpdateRelay } from '../../station/update-relay.ts';
import { initialUpdateState } from '../../common/update-policy.ts';
import { sleep } from '../helpers/wait.ts';

async function waitFor(ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`not so within ${timeoutMs} ms`);
    await sleep(25);
  }
}

const IT = { id: 'IT1', fullName: 'Котов Илья Сергеевич', pin: '80241736' };
const GUARD = { id: 'G1', fullName: 'Громов Сергей Петрович', pin: '2468' };

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function stationWithIt(options: { itIdleMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'it-access-'));
  const station = await createStation({ dataDir: dir, demoStudents: 5, ...options });
  cleanups.push(async () => {
    await station.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = station.store()!;
  store.roster.upsertStaff([
    { id: IT.id, fullName: IT.fullName, position: 'Инженер ИТ', photoHash: null, status: 'active', roles: ['it'], pinHash: hashPin(IT.pin) },
    { id: GUARD.id, fullName: GUARD.fullName, position: 'Охранник', photoHash: null, status: 'active', roles: ['guard'], pinHash: hashPin(GUARD.pin) },
  ]);
  let id = 1;
  const call = (caller: Caller, name: string, input: unknown = {}) => station.router.dispatch({ t: 'req', id: id++, name, input }, caller);
  const itEvents = () =>
    store.db
      .prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE type = 'it_change' ORDER BY seq")
      .all()
      .map(
        (r) =>
          JSON.parse(r.payload) as {
            operatorId: string | null;
            via: string;
            action: string;
            changes: { setting: string; from: string | null; to: string | null }[];
            result: string | null;
          },
      );
  const outboxCount = () => store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox').get()!.n;
  // Update actions as station/station-process.ts wires them (no shell here: the browser host's case).
  const updates = attachUpdateRelay({
    router: station.router,
    shell: null,
    log: silentLogger(),
    audit: updateAudit(station.it),
    fallback: () => initialUpdateState({ currentVersion: '0.0.0', channel: 'stable', signedBuild: false, disabledReason: 'browser_host' }),
  });
  cleanups.push(() => updates.close());
  return { dir, station, store, call, itEvents, outboxCount };
}

const TOKEN = 'ab'.repeat(24);
const refusedForIt = {
  ok: false,
  error: { code: 'refused', reason: 'it_session_required', message: expect.stringMatching(/ПИН-код ИТ.*IT or supervisor PIN/) },
};

describe('IT credentials at the station', () => {
  it('setup, enrollment, update actions and the relay test without a PIN are refused and nothing changes', async () => {
    const { station, store, call, outboxCount } = await stationWithIt();
    const server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'it-access-server-')), port: 0, logger: false });
    cleanups.push(() => server.close());
    const { code } = await server.repo.createEnrollmentCode('guard', 10);
    const visitor = newCaller('test');
    const before = JSON.stringify(store.settings.get());
    const events = outboxCount();

    expect(await call(visitor, 'settings.update', { backendUrl: 'https://evil.example' })).toMatchObject(refusedForIt);
    // The offline cap is the school's, from the backend: no station request can set it at all.
    expect(await call(visitor, 'settings.update', { offlineCapPerDay: 1e15 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await call(visitor, 'settings.update', { kiosk: false })).toMatchObject(refusedForIt);
    expect(await call(visitor, 'settings.update', { readers: [] })).toMatchObject(refusedForIt);
    expect(await call(visitor, 'sync.enroll', { backendUrl: server.url, code })).toMatchObject(refusedForIt);
    expect(await call(visitor, 'update.forceInstall', { confirm: true })).toMatchObject(refusedForIt);
    expect(await call(visitor, 'update.checkNow', {})).toMatchObject(refusedForIt);
    expect(await call(visitor, 'hardware.testRelay', { direction: 'in' })).toMatchObject(refusedForIt);
    // A setup PIN is at least 6 digits, whatever the page lets through.
    expect(await call(visitor, 'it.setSetupPin', { pin: '1111' })).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'pin' } });
    expect(await call(visitor, 'it.setSetupPin', { pin: '111111' })).toMatchObject({ ok: true });
    // The station's setup PIN was not set yet (a first start in the demo school): now it is, and the
    // next visitor cannot set it again.
    const other = newCaller('test');
    expect(await call(other, 'it.setSetupPin', { pin: '222222' })).toMatchObject({ ok: false, error: { reason: 'setup_pin_set' } });

    expect(JSON.stringify(store.settings.get())).toBe(before);
    expect(station.status().sync.backendUrl).toBeNull();
    // The code was never spent: the server enrolled nobody.
    expect((await server.repo.db.all('SELECT id FROM stations')).length).toBe(0);
    // The only event is the setup PIN being set, never a setting.
    expect(outboxCount()).toBe(events + 1);
    // The guard's own screen works without IT: going on duty with the guard's PIN.
    const duty = (await call(other, 'guard.dutyStaff')) as { ok: true; output: { people: { staffId: string }[] } };
    expect(duty.output.people.map((p) => p.staffId)).toContain(GUARD.id);
    expect(duty.output.people.map((p) => p.staffId)).not.toContain(IT.id);
    expect(await call(other, 'guard.duty', { action: 'signIn', staffId: IT.id, pin: IT.pin })).toMatchObject({ ok: false, error: { reason: 'role_missing' } });
    expect(await call(other, 'guard.duty', { action: 'signIn', staffId: GUARD.id, pin: GUARD.pin })).toMatchObject({
      ok: true,
      output: { onDuty: { staffId: GUARD.id } },
    });
    expect(await call(other, 'guard.feed', {})).toMatchObject({ ok: true });
    expect(await call(other, 'cashier.state', {})).toMatchObject({ ok: true });
  });

  it('with the IT PIN, setup and enrollment work and each change is an event naming the person; the server stores it', async () => {
    const { station, store, call, itEvents } = await stationWithIt();
    const server: RunningServer = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'it-access-server-')), port: 0, logger: false });
    cleanups.push(() => server.close());
    await ensureDemoSchool(server.repo, { students: 3 });
    const { code } = await server.repo.createEnrollmentCode('guard', 10);
    const it = newCaller('test');

    // The PIN pad names its person: the setup screen lists who can open it.
    const status = (await call(it, 'it.status')) as { ok: true; output: { people: { staffId: string; fullName: string }[]; session: unknown } };
    expect(status.output.people).toContainEqual(expect.objectContaining({ staffId: IT.id, fullName: IT.fullName }));
    expect(status.output.people.map((p) => p.staffId)).not.toContain(GUARD.id);
    expect(status.output.session).toBeNull();
    // A guard's PIN does not open setup.
    expect(await call(it, 'it.signIn', { staffId: GUARD.id, pin: GUARD.pin })).toMatchObject({ ok: false, error: { reason: 'role_missing' } });
    expect(await call(it, 'it.signIn', { staffId: IT.id, pin: '00000000' })).toMatchObject({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await call(it, 'it.signIn', { staffId: IT.id, pin: IT.pin })).toMatchObject({
      ok: true,
      output: { staffId: IT.id, fullName: IT.fullName, via: 'staff_pin' },
    });

    expect(store.settings.get().kiosk).toBe(false);
    expect(await call(it, 'settings.update', { stationName: 'Пост 1', kiosk: true })).toMatchObject({
      ok: true,
      output: { stationName: 'Пост 1', kiosk: true },
    });
    expect(itEvents().at(-1)).toEqual({
      operatorId: IT.id,
      via: 'staff_pin',
      action: 'settings',
      changes: expect.arrayContaining([
        { setting: 'stationName', from: expect.any(String), to: '"Пост 1"' },
        { setting: 'kiosk', from: 'false', to: 'true' },
      ]),
      result: null,
    });

    // Enrollment waits for the station's own setup PIN (a roster alone could lock IT out).
    expect(await call(it, 'sync.enroll', { backendUrl: server.url, code })).toMatchObject({ ok: false, error: { reason: 'setup_pin_missing' } });
    expect(await call(it, 'it.setSetupPin', { pin: '5790246' })).toMatchObject({ ok: true, output: { staffId: IT.id } });
    expect(itEvents().at(-1)).toMatchObject({ operatorId: IT.id, action: 'setup_pin', changes: [{ setting: 'setupPin', from: null, to: 'set' }] });
    expect(JSON.stringify(itEvents())).not.toContain('5790246');

    expect(await call(it, 'sync.enroll', { backendUrl: server.url, code })).toMatchObject({ ok: true, output: { ok: true } });
    const enrolled = itEvents().at(-1)!;
    expect(enrolled).toEqual({
      operatorId: IT.id,
      via: 'staff_pin',
      action: 'enroll',
      changes: [{ setting: 'backendUrl', from: null, to: server.url }],
      result: 'enrolled',
    });
    expect(JSON.stringify(itEvents())).not.toContain(code);

    // Update actions are IT's too, and recorded (under the browser host there is no updater: "disabled").
    expect(await call(it, 'update.forceInstall', { confirm: true })).toMatchObject({ ok: true, output: { accepted: false, reason: 'disabled' } });
    expect(itEvents().at(-1)).toMatchObject({ operatorId: IT.id, action: 'update_install', result: 'disabled' });

    // The enrollment and what follows go to the school's server (the demo school's earlier events are
    // kept unsent) and are stored there as facts.
    expect(await call(it, 'settings.update', { stationName: 'Пост 2' })).toMatchObject({ ok: true });
    await station.sync()!.syncNow();
    await waitFor(async () => (await server.repo.db.all("SELECT id FROM events WHERE type = 'it_change'")).length >= 3, 10_000);
    const stored = await server.repo.db.all<{ status: string; body: string }>("SELECT status, body FROM events WHERE type = 'it_change' ORDER BY seq");
    expect(stored.map((r) => (JSON.parse(r.body) as { payload: { action: string } }).payload.action)).toEqual(['enroll', 'update_install', 'settings']);
    // The school's roster does not know the station's IT1 (added at the station only): flagged, kept.
    expect(stored.map((r) => r.status)).toEqual(['anomaly', 'anomaly', 'anomaly']);
    expect(JSON.parse(stored[2]!.body)).toMatchObject({
      payload: { operatorId: IT.id, action: 'settings', changes: [{ setting: 'stationName', from: '"Пост 1"', to: '"Пост 2"' }] },
    });
    expect(store.settings.get().stationName).toBe('Пост 2');

    // The school's own IT person, imported on the server with role `it` and a PIN, opens setup at the
    // station after the next sync, and the server knows them: their change is accepted, not flagged.
    const report = await importStaffCsv(server.repo, `id,full_name,position,roles,pin\nIT9,Сомова Анна Игоревна,Инженер ИТ,it,61803398\n`);
    expect(report).toMatchObject({ imported: 1, rejected: [] });
    await station.sync()!.syncNow();
    const school = newCaller('test');
    expect(await call(school, 'it.signIn', { staffId: 'IT9', pin: '61803398' })).toMatchObject({ ok: true, output: { fullName: 'Сомова Анна Игоревна' } });
    expect(await call(school, 'settings.update', { stationName: 'Пост 3' })).toMatchObject({ ok: true });
    await station.sync()!.syncNow();
    await waitFor(async () => (await server.repo.db.all("SELECT id FROM events WHERE type = 'it_change'")).length >= 4, 10_000);
    const last = await server.repo.db.all<{ status: string; body: string }>(
      "SELECT status, body FROM events WHERE type = 'it_change' ORDER BY seq DESC LIMIT 1",
    );
    expect(last[0]).toMatchObject({ status: 'accepted' });
    expect(JSON.parse(last[0]!.body)).toMatchObject({
      payload: { operatorId: 'IT9', changes: [{ setting: 'stationName', from: '"Пост 2"', to: '"Пост 3"' }] },
    });
  });

  it("an IT session is one window's: another connection is refused; it ends on leaving setup and after idle minutes", async () => {
    const { station } = await stationWithIt({ itIdleMs: 1_000 });
    const dir = mkdtempSync(join(tmpdir(), 'it-access-ws-'));
    const bridge = await startWsBridge({ router: station.router, photos: station.photos, token: TOKEN, staticDir: null, log: silentLogger() });
    cleanups.push(async () => {
      await bridge.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/bridge`, { headers: { cookie: `station_${bridge.port}=${TOKEN}` } });
      await new Promise((ok) => ws.once('open', ok));
      let id = 1;
      const ask = (name: string, input: unknown = {}) =>
        new Promise<ServerMessage>((resolve) => {
          const mine = id++;
          const on = (d: WebSocket.RawData) => {
            const m = JSON.parse(d.toString()) as ServerMessage;
            if (m.t === 'res' && m.id === mine) {
              ws.off('message', on);
              resolve(m);
            }
          };
          ws.on('message', on);
          ws.send(JSON.stringify({ t: 'req', id: mine, name, input }));
        });
      return { ws, ask };
    };
    const a = await open();
    const b = await open();
    expect(await a.ask('it.signIn', { staffId: IT.id, pin: IT.pin })).toMatchObject({ ok: true });
    expect(await a.ask('settings.update', { stationName: 'A' })).toMatchObject({ ok: true });
    expect(await b.ask('settings.update', { stationName: 'B' })).toMatchObject(refusedForIt);
    expect(await b.ask('it.status')).toMatchObject({ ok: true, output: { session: null } });

    // Idle: a guarded request keeps it alive, a pause longer than the idle time ends it.
    await sleep(150);
    expect(await a.ask('settings.update', { stationName: 'A2' })).toMatchObject({ ok: true });
    await sleep(1_300);
    expect(await a.ask('settings.update', { stationName: 'A3' })).toMatchObject(refusedForIt);

    // Leaving setup ends it at once.
    expect(await a.ask('it.signIn', { staffId: IT.id, pin: IT.pin })).toMatchObject({ ok: true });
    expect(await a.ask('it.signOut')).toMatchObject({ ok: true });
    expect(await a.ask('settings.update', { stationName: 'A4' })).toMatchObject(refusedForIt);

    // Closing the window ends it too: nothing of it is left for the next connection.
    expect(await a.ask('it.signIn', { staffId: IT.id, pin: IT.pin })).toMatchObject({ ok: true });
    a.ws.close();
    await waitFor(() => !station.it.anyOpen(), 2_000);
    b.ws.close();
    expect(station.store()!.settings.get().stationName).toBe('A2');
  });

  it('30 wrong IT PINs sent at once, then the right one: locked', async () => {
    const { call } = await stationWithIt();
    const attacker = newCaller('test');
    const wrong = Array.from({ length: 30 }, (_, i) => call(attacker, 'it.signIn', { staffId: IT.id, pin: String(10_000_000 + i) }));
    const right = call(attacker, 'it.signIn', { staffId: IT.id, pin: IT.pin });
    const replies = await Promise.all(wrong);
    expect(replies.every((r) => r.t === 'res' && !r.ok)).toBe(true);
    expect(await right).toMatchObject({ ok: false, error: { code: 'refused', reason: 'pin_locked' } });
    expect(await call(attacker, 'settings.update', { kiosk: false })).toMatchObject(refusedForIt);
  });

  it('a copied data folder without the key folder verifies no PIN; even the database key alone does not open the PIN hashes', async () => {
    const { dir, station } = await stationWithIt();
    await station.close();
    const dataKey = fileKeyStore(keyDirFor(dir)).key('data');
    // The thief takes the data folder alone: the database does not even open as SQLite, and no hash is in it in clear.
    const elsewhere = mkdtempSync(join(tmpdir(), 'it-access-copy-'));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    copyFileSync(join(dir, 'station.db'), join(elsewhere, 'station.db'));
    expect(readFileSync(join(elsewhere, 'station.db')).includes('scrypt')).toBe(false);
    expect(() => new Database(join(elsewhere, 'station.db'), { readonly: true }).prepare('SELECT count(*) FROM staff').get()).toThrow();
    // Someone who also got the database's own key (but not the station's key, which seals the PIN hashes
    // under another derivation) reads sealed text, not scrypt hashes, and verifies no PIN.
    const copy = openStore(join(elsewhere, 'station.db'), systemClock(), { key: deriveKey(dataKey, 'database'), readonly: true });
    const rows = copy.db.prepare<[], { id: string; pin_hash: string | null }>('SELECT id, pin_hash FROM staff WHERE pin_hash IS NOT NULL').all();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(parsePinHash(r.pin_hash)).toBeNull();
      expect(r.pin_hash).not.toMatch(/scrypt/);
    }
    const log = { warn() {} };
    expect(await new StaffPins(copy.roster, log).check(IT.pin, ['it'], IT.id)).toMatchObject({ ok: false, reason: 'pin_wrong' });
    expect(await new StaffPins(copy.roster, log).check(GUARD.pin, ['guard'], GUARD.id)).toMatchObject({ ok: false, reason: 'pin_wrong' });
    copy.close();

    // With the station's key, the same file works: the test can fail.
    const same = openStore(join(elsewhere, 'station.db'), systemClock(), { key: deriveKey(dataKey, 'database'), pinSeal: pinSeal(dataKey), readonly: true });
    expect(await new StaffPins(same.roster, log).check(IT.pin, ['it'], IT.id)).toMatchObject({ ok: true });
    same.close();
    // The key folder is beside the data folder, not in it, and the key file is the station user's alone.
    expect(existsSync(join(dir, 'station.key'))).toBe(false);
    if (process.platform !== 'win32') expect(statSync(join(keyDirFor(dir), 'data.key')).mode & 0o777).toBe(0o600);
  });

  it('a setup test tap shows the card and writes no pass and no event; the same tap outside setup is a pass', async () => {
    const { station, store, call, outboxCount } = await stationWithIt();
    const it = newCaller('test');
    expect(await call(it, 'it.setSetupPin', { pin: '802417' })).toMatchObject({ ok: true });
    expect(await call(it, 'settings.update', { mode: 'guard' })).toMatchObject({ ok: true });
    const card = store.roster.listCardsWithHolders(50).find((c) => c.holder?.kind === 'student' && c.card.status === 'active')!;
    const presented: ServerMessage[] = [];
    station.router.subscribe((m) => m.t === 'evt' && m.name === 'card.presented' && presented.push(m));
    const passes = () => store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM guard_passes').get()!.n;
    const events = outboxCount();

    station.readers.get('demo')!.tap!(card.card.technology, card.card.uid, new Date());
    await waitFor(() => presented.length === 1, 2_000);
    expect(presented[0]).toMatchObject({ payload: { read: { uid: card.card.uid }, holder: { id: card.holder!.id } } });
    await sleep(100);
    expect(passes()).toBe(0);
    expect(outboxCount()).toBe(events);

    // Setup closed: the same card is a pass again, with its event (the parents are told).
    expect(await call(it, 'it.signOut')).toMatchObject({ ok: true });
    await sleep(1_100); // the reader's one-read-per-card window
    station.readers.get('demo')!.tap!(card.card.technology, card.card.uid, new Date());
    await waitFor(() => passes() === 1, 2_000);
    expect(store.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE type = 'pass'").get()!.n).toBe(1);
  });

  describe('the relay test', () => {
    let pair: PtyPair | null = null;
    afterEach(async () => {
      await pair?.stop();
      pair = null;
    });

    it('is a manual open recorded with the IT person as operator and reason "проверка реле"', async () => {
      const { store, call } = await stationWithIt();
      pair = await startPtyPair();
      const board = await startLcusBoard(pair);
      const it = newCaller('test');
      expect(await call(it, 'it.signIn', { staffId: IT.id, pin: IT.pin })).toMatchObject({ ok: true });
      const relay = { kind: 'lcus', path: pair.stationPath, entryChannel: 1, exitChannel: 2, pulseMs: 100 };
      expect(await call(it, 'settings.update', { mode: 'guard', guard: { ...store.settings.get().guard, relay } })).toMatchObject({ ok: true });
      let reply = await call(it, 'hardware.testRelay', { direction: 'in' });
      // The relay port opens a moment after the setting is saved, and a loaded machine may miss an answer.
      for (let i = 0; i < 20 && !JSON.stringify(reply).includes('"confirmed":true'); i++) {
        await sleep(100);
        reply = await call(it, 'hardware.testRelay', { direction: 'in' });
      }
      expect(reply).toMatchObject({ ok: true, output: { ok: true, confirmed: true } });
      expect(board.received().slice(0, 4)).toEqual([0xa0, 0x01, 0x01, 0xa2]);

      const opens = store.db
        .prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE type = 'manual_open'")
        .all()
        .map((r) => JSON.parse(r.payload) as unknown);
      // Every pulse tried is recorded (one before the port was ready did not open: gate null).
      expect(opens.at(-1)).toEqual({ direction: 'in', reason: 'relay_test', note: 'проверка реле', operatorId: IT.id, holderId: null, gate: 'entry' });
      expect(opens.every((o) => JSON.stringify(o).includes(`"operatorId":"${IT.id}"`) && JSON.stringify(o).includes('"reason":"relay_test"'))).toBe(true);
      // In the guard's feed, and nobody counted as having entered.
      const feed = (await call(it, 'guard.feed', {})) as { ok: true; output: { items: { kind: string; reason: string }[] } };
      expect(feed.output.items[0]).toMatchObject({ kind: 'manual', reason: 'relay_test' });
      expect(await call(it, 'guard.counters', {})).toMatchObject({ ok: true, output: { enteredToday: 0, insideNow: 0 } });
    });
  });
});
