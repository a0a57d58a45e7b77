/**
 * A pupil (or an employee) leaves the school, end to end on both server storages: the CLI
 * (`remove-student`), the admin endpoint and a CSV row with `status=left` each delete the person on the
 * server (cards, name, class, portrait, account; the ledger and events keep only a pseudonymous id), and
 * a station's next sync deletes the row and the portrait file, so the card is refused at the guard post
 * and at the till.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { GuardPost } from '../../core/guard/guard-post.ts';
import { NO_GATE } from '../../hardware/relay.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { hashPin } from '../../core/pin.ts';
import { importStudentsCsv, seedDemoSchool } from '../../server/admin.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullMenu, pullPhotos, pullRoster } from '../../sync/pull.ts';
import { pushOutbox } from '../../sync/push.ts';
import { pinoMemoryLog } from '../helpers/guard-fixture.ts';
import {
  ROOT,
  enrollDirect,
  makeStorage,
  openRepo,
  openStation,
  startInProcessServer,
  tempDir,
  storageLifecycle,
  type StorageKind,
} from '../helpers/sync-rig.ts';

/** Every text a server table holds, one string per row, to look for a person in. */
async function everyRow(repo: Awaited<ReturnType<typeof openRepo>>): Promise<string[]> {
  const tables = ['students', 'staff', 'cards', 'accounts', 'events', 'ledger', 'notifications', 'daily_figures', 'exceptions', 'tombstones', 'day_facts'];
  // A JSON column (an event's or a fact's body) is read as JSON, so a quoted id inside it is found as one.
  const opened = (v: unknown): unknown => {
    if (typeof v !== 'string' || !v.startsWith('{')) return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  };
  const out: string[] = [];
  for (const t of tables)
    for (const r of await repo.db.all<Record<string, unknown>>(`SELECT * FROM ${t}`))
      out.push(`${t}: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, opened(v)])))}`);
  return out;
}

for (const kind of ['sqlite', 'postgres'] as StorageKind[]) {
  describe(`a person leaves the school (${kind})`, () => {
    const { cleanups, pg } = storageLifecycle(kind);

    it('CLI, admin endpoint and a status=left row delete the person on the server and on every station; their cards are refused at both posts', async () => {
      const t = tempDir('ss-leave-');
      cleanups.push(t.cleanup);
      const storage = await makeStorage(kind, t.dir, pg());
      const server = await startInProcessServer(storage);
      cleanups.push(() => server.close());
      const repo = await openRepo(storage);
      cleanups.push(() => repo.db.close());
      await seedDemoSchool(repo, { students: 30 });
      const clock = systemClock();

      const guardStation = openStation(join(t.dir, 'guard'), clock);
      const tillStation = openStation(join(t.dir, 'till'), clock);
      cleanups.push(
        () => guardStation.store.close(),
        () => tillStation.store.close(),
      );
      const gClient = createBackendClient({ baseUrl: server.url, token: (await enrollDirect(repo, server.url, guardStation.vaultPath, 'guard')).token });
      const cClient = createBackendClient({ baseUrl: server.url, token: (await enrollDirect(repo, server.url, tillStation.vaultPath, 'cashier')).token });
      const syncAll = async () => {
        await pullRoster(gClient, guardStation.syncStore);
        await pullRoster(cClient, tillStation.syncStore);
        await pullPhotos(gClient, guardStation.syncStore);
        await pullPhotos(cClient, tillStation.syncStore);
      };
      await syncAll();
      await pullMenu(cClient, tillStation.syncStore, schoolDate(clock.now(), DEFAULT_SCHOOL_TIME_ZONE));

      const guard = new GuardPost({ store: guardStation.store, clock, gate: () => NO_GATE, log: pinoMemoryLog(), exportDir: join(t.dir, 'exports') });
      const till = new Cashier({ store: tillStation.store, clock, isOnline: () => true, exportDir: join(t.dir, 'till-exports') });
      const cashierId = tillStation.store.roster.activeStaff().find((s) => s.roles.includes('cashier'))!.id;
      tillStation.store.db.prepare('UPDATE staff SET pin_hash = ? WHERE id = ?').run(hashPin('1111'), cashierId);
      tillStation.store.roster.sealClearPins();
      await till.openShift(cashierId, '1111');

      const leaver = 'S00001';
      const viaCsv = 'S00002';
      const student = (await repo.db.get<{ full_name: string; class_name: string; photo_hash: string }>(
        'SELECT full_name, class_name, photo_hash FROM students WHERE id = ?',
        [leaver],
      ))!;
      expect(student.photo_hash).toBeTruthy();
      const cardOf = (id: string) =>
        guardStation.store.roster.listCardsWithHolders(500).find((c) => c.card.holderId === id && c.card.status === 'active')!.card;
      const card = cardOf(leaver);
      const csvCard = cardOf(viaCsv);
      const read = (c: { technology: 'iso14443' | 'em4100'; uid: string }, readerId: string) => ({
        readerId,
        technology: c.technology,
        uid: c.uid,
        raw: '',
        at: new Date().toISOString(),
      });

      // Before: the pupil passes, buys a bun, and both facts reach the server (a ledger row, events, a notification).
      expect(guard.onCard(read(card, 'entry'), 'entry')).toMatchObject({ verdict: 'allow' });
      const insideBefore = guard.insideList();
      expect(JSON.stringify(insideBefore)).toContain(student.full_name);
      const bun = till.menu().items.find((i) => i.kind === 'buffet' && i.allergens.length === 0)!;
      till.addToCart(bun.id);
      const check = till.onCard(read(card, 'till'));
      if (!('checkId' in check)) throw new Error(`tap refused: ${JSON.stringify(check)}`);
      expect(till.confirm(check.checkId, 'sale-before-leaving')).toMatchObject({ ok: true });
      await pushOutbox(gClient, guardStation.syncStore);
      await pushOutbox(cClient, tillStation.syncStore);
      expect(existsSync(guardStation.photos.pathOf(student.photo_hash))).toBe(true);
      const balanceBefore = (await repo.account(leaver))!.balance;

      // 1. The CLI.
      const cliArgs = [
        'server/cli.ts',
        'remove-student',
        leaver,
        ...(storage.databaseUrl ? ['--database-url', storage.databaseUrl] : ['--data-dir', storage.dataDir!]),
      ];
      const removed = JSON.parse(execFileSync(process.execPath, cliArgs, { cwd: ROOT, encoding: 'utf8' })) as {
        removed: boolean;
        pseudonym: string;
        cards: number;
        balance: number;
      };
      expect(removed).toMatchObject({ removed: true, cards: expect.any(Number), balance: balanceBefore });
      expect(removed.pseudonym).toMatch(/^gone-/);
      // 2. The admin endpoint, for an employee.
      const adminToken = await repo.createAdminToken();
      const staffId = (await repo.db.get<{ id: string }>("SELECT id FROM staff WHERE roles LIKE '%teacher%' ORDER BY id"))!.id;
      const res = await fetch(`${server.url}/v1/admin/people/remove`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'staff', id: staffId }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ removed: true });
      const again = await fetch(`${server.url}/v1/admin/people/remove`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'staff', id: staffId }),
      });
      expect(again.status).toBe(404);
      // 3. The roster CSV says the pupil left.
      expect(await importStudentsCsv(repo, `id,full_name,class,status\n${viaCsv},Кто-то,1А,left\n`)).toMatchObject({ imported: 0, removed: 1, rejected: [] });

      // A post that has not synced since lets the pupil's card through (it still knows it): the late pass
      // reaches the server, which applies nothing and keeps it only under another pseudonym.
      const notesBefore = Number((await repo.db.get<{ n: number }>('SELECT count(*) AS n FROM notifications'))!.n);
      guard.onCard(read(card, 'entry'), 'entry');
      const latePass = guardStation.store.db
        .prepare<[string], { id: string }>("SELECT id FROM outbox WHERE type = 'pass' AND status = 'pending' AND payload LIKE ?")
        .get(`%${leaver}%`)!;
      expect(latePass).toBeTruthy();
      await pushOutbox(gClient, guardStation.syncStore);
      const lateRow = (await repo.db.get<{ status: string; code: string; holder_id: string; body: string }>(
        'SELECT status, code, holder_id, body FROM events WHERE id = ?',
        [latePass.id],
      ))!;
      expect(lateRow).toMatchObject({ status: 'invalid', code: 'person_removed' });
      expect(lateRow.holder_id).toMatch(/^gone-/);
      expect(lateRow.holder_id).not.toBe(removed.pseudonym);
      expect(lateRow.body).not.toContain(card.uid);
      // The station keeps the refusal in a word, for its "needs attention" list.
      expect(guardStation.store.db.prepare('SELECT status, result_code FROM outbox WHERE id = ?').get(latePass.id)).toEqual({
        status: 'invalid',
        result_code: 'person_removed',
      });
      expect(Number((await repo.db.get<{ n: number }>('SELECT count(*) AS n FROM notifications'))!.n)).toBe(notesBefore);

      // The server keeps nothing that names them; the accounts keep the sums under the pseudonym.
      const rows = await everyRow(repo);
      for (const needle of [`"${leaver}"`, `"${viaCsv}"`, `"${staffId}"`, student.full_name, card.uid, csvCard.uid]) {
        expect(rows.filter((r) => r.includes(needle) && !r.startsWith('tombstones:'))).toEqual([]);
      }
      expect(await repo.db.get('SELECT 1 AS x FROM photos WHERE hash = ?', [student.photo_hash])).toBeUndefined();
      const ledger = await repo.db.all<{ delta: number }>('SELECT delta FROM ledger WHERE holder_id = ?', [removed.pseudonym]);
      expect(ledger.length).toBeGreaterThanOrEqual(2); // the opening balance and the sale
      expect(ledger.reduce((a, r) => a + Number(r.delta), 0)).toBe(balanceBefore);
      expect(await repo.db.get<{ n: number }>('SELECT count(*) AS n FROM events WHERE holder_id = ?', [removed.pseudonym])).toMatchObject({
        n: expect.anything(),
      });
      expect(Number((await repo.db.get<{ n: number }>('SELECT count(*) AS n FROM events WHERE holder_id = ?', [removed.pseudonym]))!.n)).toBe(2);

      // Every station's next sync deletes the rows and the portrait file.
      await syncAll();
      for (const s of [guardStation, tillStation]) {
        expect(s.store.roster.person('student', leaver)).toBeNull();
        expect(s.store.roster.person('student', viaCsv)).toBeNull();
        expect(s.store.roster.person('staff', staffId)).toBeNull();
        expect(s.store.roster.lookupCard(card)).toBeNull();
        expect(s.store.roster.account(leaver)).toBeNull();
        expect(existsSync(s.photos.pathOf(student.photo_hash))).toBe(false);
        const copies = s.store.db.prepare('SELECT count(*) AS n FROM guard_passes WHERE holder_id = ? OR full_name = ?').get(leaver, student.full_name);
        expect(copies).toEqual({ n: 0 });
      }
      // The running guard post forgets them at once too: not in "who is inside" (nor the roll call's
      // printout), and the counter no longer counts them. No restart needed.
      const insideAfter = guard.insideList();
      expect(JSON.stringify(insideAfter)).not.toContain(student.full_name);
      expect(JSON.stringify(insideAfter)).not.toContain(leaver);
      expect(insideAfter.total).toBe(insideBefore.total - 1);
      expect(guard.counters().insideNow).toBe(insideAfter.total);
      // And both posts refuse the cards.
      expect(guard.onCard(read(card, 'entry'), 'entry')).toMatchObject({ verdict: 'deny' });
      expect(guard.onCard(read(csvCard, 'entry'), 'entry')).toMatchObject({ verdict: 'deny' });
      till.addToCart(bun.id);
      expect(till.onCard(read(card, 'till'))).toMatchObject({ kind: 'refused', reason: 'card_unknown', holder: null });
    });
  });
}

describe('the till refuses anyone not active', () => {
  it('a card still active whose holder left (or is suspended) opens no photo check', async () => {
    const t = tempDir('ss-inactive-');
    const clock = systemClock();
    const station = openStation(join(t.dir, 'till'), clock);
    try {
      const { store } = station;
      const today = schoolDate(clock.now(), DEFAULT_SCHOOL_TIME_ZONE);
      store.roster.upsertStudents([
        { id: 'A1', fullName: 'Активный Пётр', className: '5А', photoHash: null, status: 'active' },
        { id: 'L1', fullName: 'Выбывший Иван', className: '5А', photoHash: null, status: 'left' },
        { id: 'P1', fullName: 'Отстранённый Лев', className: '5А', photoHash: null, status: 'suspended' },
      ]);
      store.roster.upsertStaff([
        { id: 'C1', fullName: 'Кассир Анна', position: 'Кассир', photoHash: null, status: 'active', roles: ['cashier'], pinHash: hashPin('1111') },
      ]);
      const cards = ['A1', 'L1', 'P1'].map((id, i) => ({
        technology: 'iso14443' as const,
        uid: `04AA00000000${i}0`,
        holderKind: 'student' as const,
        holderId: id,
        status: 'active' as const,
        validUntil: null,
      }));
      store.roster.upsertCards(cards);
      store.roster.upsertAccounts(
        ['A1', 'L1', 'P1'].map((id) => ({
          holderId: id,
          balance: 500_00,
          balanceAt: new Date().toISOString(),
          dailyLimit: null,
          forbiddenCategories: [],
          allergens: [],
          subsidy: 'none' as const,
          parentNote: null,
        })),
      );
      store.roster.upsertMenu([{ date: today, id: 'M1', name: 'Булочка', category: 'Выпечка', kind: 'buffet', price: 30_00, allergens: [] }]);
      const till = new Cashier({ store, clock, isOnline: () => false, exportDir: join(t.dir, 'exports') });
      await till.openShift('C1', '1111');
      till.addToCart('M1');
      const tap = (i: number) => till.onCard({ readerId: 'till', technology: 'iso14443', uid: cards[i]!.uid, raw: '', at: new Date().toISOString() });
      expect(tap(1)).toMatchObject({ kind: 'refused', reason: 'holder_inactive' });
      expect(tap(2)).toMatchObject({ kind: 'refused', reason: 'holder_inactive' });
      expect(tap(0)).toHaveProperty('checkId');
    } finally {
      station.store.close();
      t.cleanup();
    }
  });
});
