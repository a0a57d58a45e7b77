/**
 * The till with the reference server, end to end in Chromium through the browser host: the station
 * enrolls and pulls the school (staff PIN hashes included), the cashier opens a shift with a PIN that
 * came through the roster, the server goes away, 20 sales are made offline (flagged offline, the
 * offline cap applied), the server comes back, and the server's books match the till to the kopeck.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { openStationDb } from '../helpers/station-db.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { formatMoney } from '../../common/money.ts';
import { systemClock } from '../../common/clock.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { openStore } from '../../core/store/index.ts';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { ensureDemoSchool } from '../../server/admin.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { bridge, expect, test } from './fixtures.ts';

const OFFLINE_CAP = 200_00;
// The server seeds the same deterministic demo school the generator gives: read who is who from it.
const now = Date.now();
const school = generateDemoSchool({ students: 30, date: schoolDate(now, DEFAULT_SCHOOL_TIME_ZONE), now: new Date(now).toISOString() });
const cashier = school.staff.find((s) => s.roles.includes('cashier') && !s.roles.includes('supervisor'))!;
// Children the parents' rules and the subsidy leave alone, with enough money that only the offline cap can refuse.
const buyers = school.accounts
  .filter((a) => a.holderId.startsWith('S') && a.subsidy === 'none' && a.dailyLimit === null)
  .filter((a) => a.forbiddenCategories.length === 0 && a.allergens.length === 0 && a.balance >= 220_00)
  .slice(0, 5)
  .map((a) => ({
    id: a.holderId,
    fullName: school.students.find((s) => s.id === a.holderId)!.fullName,
    uid: school.cards.find((c) => c.holderId === a.holderId && c.status === 'active' && c.technology === 'iso14443')!.uid,
  }));
// Four sales per child, 165,50 ₽ in all: under the 200,00 ₽ offline cap; a juice more (40,00) is over it.
const ROUND: { items: string[]; total: number }[] = [
  { items: ['M07'], total: 55_50 },
  { items: ['M06', 'M08'], total: 15_00 + 20_00 },
  { items: ['M05'], total: 40_00 },
  { items: ['M03'], total: 35_00 },
];
const PRIVATE_WORDS = ['Баланс', 'баланс', 'лимит', 'Лимит', 'средств', 'запрет', 'заблок', 'утерян', 'аллерг', 'связи'];

test('20 sales offline, back online: each sale on the server once, balances to the kopeck, the outbox all acknowledged', async ({
  page,
  context,
}, testInfo) => {
  test.setTimeout(90_000);
  expect(buyers).toHaveLength(5);
  const serverDir = mkdtempSync(join(tmpdir(), 'cashier-offline-server-'));
  const stationDir = mkdtempSync(join(tmpdir(), 'cashier-offline-station-'));
  let server: RunningServer | null = await startServer({ dataDir: serverDir, port: 0, logger: false });
  const port = server.port;
  let host: BrowserHost | null = null;
  try {
    await ensureDemoSchool(server.repo, { students: 30 });
    // The offline cap is the school's, set on its backend; the till takes it with the roster.
    await server.repo.updateSchoolSettings({ offlineCapPerDay: OFFLINE_CAP });
    const { code } = await server.repo.createEnrollmentCode('cashier', 10);
    // A till with no school of its own: everything it knows comes from the server.
    const store = openStore(join(stationDir, 'station.db'), systemClock());
    store.settings.update({ mode: 'cashier', showBalance: 'on_request', readers: [{ id: 'till', kind: 'simulated', role: 'cashier', label: '' }] });
    expect(store.roster.listCardsWithHolders(10)).toEqual([]);
    store.close();
    host = await startBrowserHost({ dataDir: stationDir, env: { STATION_BACKEND_URL: server.url, STATION_ENROLLMENT_CODE: code } });
    await page.goto(host.url);
    await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
    const syncState = page.getByTestId('sync-state');
    await expect(syncState).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
    const opening = new Map<string, number>();
    for (const b of buyers) opening.set(b.id, (await server.repo.account(b.id))!.balance);
    expect([...opening.values()]).toEqual(buyers.map((b) => school.accounts.find((a) => a.holderId === b.id)!.balance));

    // The shift opens with the cashier's PIN: its hash came with the roster (the station was never seeded).
    await expect(page.getByTestId('cashier-open-shift')).toBeVisible();
    await page.getByRole('radio', { name: new RegExp(cashier.fullName) }).click();
    for (const d of cashier.pin) await page.getByTestId('shift-pin').getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Открыть смену' }).click();
    await expect(page.getByTestId('till')).toBeVisible();
    await expect(page.getByTestId('shift-operator')).toContainText(cashier.fullName);
    await expect(page.getByTestId('till-offline')).toHaveCount(0);
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0', { timeout: 20_000 });

    const customer = await context.newPage();
    await customer.goto(host.customerUrl);
    await expect(customer.getByTestId('customer-display')).toHaveAttribute('data-state', 'idle');
    const balances = school.accounts.map((a) => a.balance);
    const nothingPrivate = async () => {
      const text = await customer.locator('body').innerText();
      for (const b of balances) expect(text).not.toContain(formatMoney(b));
      for (const w of PRIVATE_WORDS) expect(text).not.toContain(w);
    };

    // The server goes away; the station notices at its next exchange and the till says it is offline.
    await server.close();
    server = null;
    await bridge(page, 'sync.now', {}).catch(() => undefined);
    await expect(syncState).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await expect(syncState).toContainText('Нет связи');
    await expect(page.getByTestId('till-offline')).toContainText(`не больше ${formatMoney(OFFLINE_CAP)} в день`);
    // It also says how far the other tills' sales are counted: up to its last exchange with the server.
    await expect(page.getByTestId('till-offline-school')).toContainText(/Покупки на других кассах учтены по \d\d:\d\d/);

    const menu = page.getByTestId('menu');
    const tap = (uid: string) => page.getByTestId('demo-reader').locator(`[data-uid="${uid}"]`).click();
    const spent = new Map<string, number>();
    let sales = 0;
    for (const round of ROUND) {
      for (const b of buyers) {
        for (const item of round.items) await menu.locator(`[data-item="${item}"]`).click();
        await expect(page.getByTestId('cart-total')).toHaveText(formatMoney(round.total));
        await tap(b.uid);
        await expect(page.getByTestId('photo-check').getByTestId('check-name')).toHaveText(b.fullName);
        await page.getByTestId('photo-check').getByTestId('confirm').click();
        const receipt = page.getByTestId('receipt');
        await expect(receipt).toContainText('Оплачено');
        await expect(receipt).toContainText('Без связи — будет отправлено позже');
        await expect(page.getByTestId('receipt-total')).toHaveText(formatMoney(round.total));
        await expect(customer.getByTestId('customer-banner')).toContainText('Оплачено');
        await nothingPrivate();
        spent.set(b.id, (spent.get(b.id) ?? 0) + round.total);
        sales++;
        if (sales === 20) await page.screenshot({ path: testInfo.outputPath('cashier-offline-receipt.png'), fullPage: true });
        await page.getByTestId('next-customer').click();
      }
    }
    expect(sales).toBe(20);
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 20');

    // A juice more is over the offline cap (165,50 + 40,00 > 200,00) although the balance would allow it.
    await menu.locator('[data-item="M05"]').click();
    await tap(buyers[0]!.uid);
    await page.getByTestId('photo-check').getByTestId('confirm').click();
    const refusal = page.getByTestId('refusal');
    await expect(refusal).toContainText('лимит покупок без связи на сегодня исчерпан');
    await expect(refusal).not.toContainText(formatMoney(165_50));
    // The figures only when the cashier asks for them (this till: "по запросу").
    await refusal.getByTestId('show-figures').click();
    await expect(refusal.getByTestId('refusal-figures')).toContainText(`${formatMoney(165_50)} из ${formatMoney(OFFLINE_CAP)}`);
    await expect(customer.getByTestId('customer-banner')).toContainText('Подойдите к кассиру');
    await nothingPrivate();
    await page.screenshot({ path: testInfo.outputPath('cashier-offline-cap.png'), fullPage: true });
    await page.getByTestId('notice-ok').click();
    await page.getByTestId('cart').getByRole('button', { name: 'Очистить' }).click();

    // Back on the same address: the station pushes what waited, then pulls the balances.
    server = await startServer({ dataDir: serverDir, port, logger: false });
    await bridge(page, 'sync.now', {}).catch(() => undefined);
    await expect(syncState).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
    await expect(page.getByTestId('outbox-pending')).toContainText('Ждут отправки: 0', { timeout: 30_000 });
    await expect(page.getByTestId('till-offline')).toHaveCount(0);
    await bridge(page, 'sync.now', {});
    await nothingPrivate();

    // The station's outbox: every event answered as accepted; the 20 sales flagged offline.
    const db = openStationDb(stationDir);
    const outbox = db
      .prepare<[], { id: string; type: string; status: string; acked_at: string | null; payload: string }>(
        'SELECT id, type, status, acked_at, payload FROM outbox',
      )
      .all();
    const stationBalances = new Map(
      db
        .prepare<[], { holder_id: string; balance: number }>('SELECT holder_id, balance FROM accounts')
        .all()
        .map((r) => [r.holder_id, r.balance]),
    );
    db.close();
    expect(outbox.filter((e) => e.status !== 'accepted' || e.acked_at === null)).toEqual([]);
    const stationSales = outbox.filter((e) => e.type === 'sale');
    expect(stationSales).toHaveLength(20);
    expect(stationSales.every((e) => (JSON.parse(e.payload) as { offline: boolean }).offline === true)).toBe(true);

    // The server: each sale once (one event, one ledger row), and the balances to the kopeck.
    const serverSales = await server.repo.db.all<{ id: string; status: string }>("SELECT id, status FROM events WHERE type = 'sale'");
    expect(serverSales.map((e) => e.id).sort()).toEqual(stationSales.map((e) => e.id).sort());
    expect(serverSales.every((e) => e.status === 'accepted')).toBe(true);
    const ledger = await server.repo.db.all<{ event_id: string; delta: number }>("SELECT event_id, delta FROM ledger WHERE kind = 'sale'");
    expect(ledger.map((l) => l.event_id).sort()).toEqual(stationSales.map((e) => e.id).sort());
    for (const b of buyers) {
      expect(spent.get(b.id)).toBe(165_50);
      const expected = opening.get(b.id)! - spent.get(b.id)!;
      expect((await server.repo.account(b.id))!.balance, b.fullName).toBe(expected);
      // And the station, after its pull, holds the server's figure (the next sale sees no double count).
      expect(stationBalances.get(b.id), b.fullName).toBe(expected);
    }
    await page.screenshot({ path: testInfo.outputPath('cashier-back-online.png'), fullPage: true });
    await customer.close();
  } finally {
    await host?.stop();
    await server?.close();
    rmSync(serverDir, { recursive: true, force: true });
    rmSync(stationDir, { recursive: true, force: true });
  }
});
