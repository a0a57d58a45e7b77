/**
 * One school, several stations (docs/architecture.md, "Figures"): the reference server on loopback (its
 * own process, SQLite) with two guard posts and two tills, each a station process under the browser
 * host, each following the school's day with its own sync loop (GET /v1/day). Per sample:
 *   cross_station_pass_p95_ms  a tap at post A's reader → post B's counters event with it and B's inside
 *                              list including (or no longer including) that pupil
 *   cross_station_sale_p95_ms  a sale confirmed and stored at till 1 → till 2's figures for that child
 *                              (cashier.schoolFigures, polled every 5 ms) include it
 * p50 and p95 over CROSS_BENCH_SAMPLES (default 200) of each, one at a time.
 *   npm run bench -- cross-station
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { GuardCounters, InsideList } from '../common/contract/guard.ts';
import type { ConfirmResult, MenuView, PhotoCheck } from '../common/contract/cashier.ts';
import { seedDemoSchool, setStaffPin } from '../server/admin.ts';
import { freePort } from '../test/helpers/postgres.ts';
import { eventually, startRigStation, type RigStation } from '../test/helpers/school-rig.ts';
import { openRepo, spawnServer } from '../test/helpers/sync-rig.ts';
import type { Report } from './run.ts';
import { median, percentile, table } from './stats.ts';

const SAMPLES = Number(process.env.CROSS_BENCH_SAMPLES ?? 200);
const WARMUP = 5;
const now = () => performance.timeOrigin + performance.now();

export default async function crossStationBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ss-bench-cross-'));
  const storage = { kind: 'sqlite' as const, dataDir: join(dir, 'server') };
  const repo = await openRepo(storage);
  const stations: RigStation[] = [];
  let stopServer: () => Promise<void> = async () => {};
  try {
    await seedDemoSchool(repo, { students: 240, menuDays: 1 });
    const cashierId = (await repo.db.get<{ id: string }>("SELECT id FROM staff WHERE roles LIKE '%cashier%' ORDER BY id"))!.id;
    await setStaffPin(repo, cashierId, '2468');
    // Money on every account and no limits: the bench measures the way a sale travels, not the rules.
    await repo.db.run("UPDATE accounts SET balance = 100000000, daily_limit = NULL, forbidden_categories = '[]', allergens = '[]', subsidy = 'none'");
    const cards = await repo.db.all<{ id: string; technology: string; uid: string }>(
      `SELECT s.id, c.technology, c.uid FROM students s
         JOIN cards c ON c.holder_id = s.id AND c.status = 'active'
        WHERE s.status = 'active' ORDER BY s.id, c.technology, c.uid`,
    );
    // One card per pupil (a pupil may have several).
    const pupils = [...new Map(cards.map((p) => [p.id, p])).values()];
    const server = await spawnServer(storage, await freePort());
    setPriority(server.child.pid!, 10);
    stopServer = () => server.kill('SIGTERM');
    const start = (name: string, role: 'guard' | 'cashier') => startRigStation({ repo, serverUrl: server.url, dir, name, role });
    const [postA, postB, till1, till2] = await Promise.all([
      start('Главный вход', 'guard'),
      start('Чёрный вход', 'guard'),
      start('Касса 1', 'cashier'),
      start('Касса 2', 'cashier'),
    ]);
    stations.push(postA!, postB!, till1!, till2!);
    for (const s of stations) {
      await eventually(
        async () => (await s.ask<{ sync: { lastSyncAt: string | null } }>('station.getStatus')).sync.lastSyncAt,
        `${s.name}'s first sync`,
        120_000,
      );
    }
    console.log(`  school: ${pupils.length} pupils with a card; 2 guard posts and 2 tills, each a station process`);

    // ── passes: A's entry (then exit) → B's counters and inside list ──────────────────────────
    const counterEvents: { at: number; counters: GuardCounters }[] = [];
    postB!.on((e) => {
      if (e.name === 'guard.counters') counterEvents.push({ at: e.atMs, counters: e.payload as GuardCounters });
    });
    const pass: number[] = [];
    const total = SAMPLES + WARMUP;
    const half = Math.ceil(total / 2);
    for (let i = 0; i < total; i++) {
      // Each pupil enters, and later leaves: a sample is one pass, in or out.
      const entering = i < half;
      const pupil = pupils[(entering ? i : i - half) % pupils.length]!;
      const seen = counterEvents.length;
      const t0 = now();
      await postA!.ask('demo.tap', { readerId: entering ? 'in' : 'out', technology: pupil.technology, uid: pupil.uid });
      await eventually(async () => counterEvents.length > seen, `post B's counters after pass ${i}`, 10_000);
      const list = await postB!.ask<InsideList>('guard.insideList');
      const inside = list.classes.some((c) => c.people.some((p) => p.id === pupil.id));
      const t1 = now();
      if (inside !== entering) throw new Error(`pass ${i}: post B's inside list ${inside ? 'has' : 'lacks'} ${pupil.id}`);
      if (i >= WARMUP) pass.push(t1 - t0);
      // A turnstile lane passes 25–40 people a minute; the reader's flood guard takes at most 8 taps in 2 s.
      const left = t0 + 300 - now();
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    }

    // ── sales: till 1 → till 2's figures ──────────────────────────────────────────────────────
    for (const t of [till1!, till2!]) await t.ask('cashier.openShift', { staffId: cashierId, pin: '2468' });
    const menu = await till1!.ask<MenuView>('cashier.menu');
    const item = menu.items.filter((m) => m.kind === 'buffet').sort((a, b) => a.price - b.price)[0]!;
    const checks: PhotoCheck[] = [];
    till1!.on((e) => {
      if (e.name === 'cashier.check' && e.payload) checks.push(e.payload as PhotoCheck);
    });
    const sale: number[] = [];
    for (let i = 0; i < total; i++) {
      const pupil = pupils[i % pupils.length]!;
      const before = (await till2!.ask<{ spentToday: number }>('cashier.schoolFigures', { holderId: pupil.id })).spentToday;
      await till1!.ask('cashier.cart.add', { itemId: item.id });
      const opened = checks.length;
      await till1!.ask('demo.tap', { readerId: 'till', technology: pupil.technology, uid: pupil.uid });
      const check = await eventually(async () => (checks.length > opened ? checks[checks.length - 1] : null), `till 1's photo check ${i}`, 10_000);
      const r = await till1!.ask<ConfirmResult>('cashier.confirm', { checkId: check.checkId, saleId: uuidv7() });
      if (!r.ok) throw new Error(`sale ${i} refused: ${r.reason}`);
      const t0 = now();
      for (;;) {
        const f = await till2!.ask<{ spentToday: number }>('cashier.schoolFigures', { holderId: pupil.id });
        if (f.spentToday >= before + r.receipt.accountPart) break;
        if (now() - t0 > 10_000) throw new Error(`sale ${i} did not reach till 2 in 10 s`);
        await new Promise((res) => setTimeout(res, 5));
      }
      if (i >= WARMUP) sale.push(now() - t0);
    }

    table([
      {
        what: 'pass at A → B',
        samples: pass.length,
        p50_ms: median(pass).toFixed(1),
        p95_ms: percentile(pass, 95).toFixed(1),
        max_ms: Math.max(...pass).toFixed(1),
      },
      {
        what: 'sale at till 1 → till 2',
        samples: sale.length,
        p50_ms: median(sale).toFixed(1),
        p95_ms: percentile(sale, 95).toFixed(1),
        max_ms: Math.max(...sale).toFixed(1),
      },
    ]);
    report('cross_station_pass_p50_ms', Number(median(pass).toFixed(1)), 'ms');
    report('cross_station_pass_p95_ms', Number(percentile(pass, 95).toFixed(1)), 'ms');
    report('cross_station_sale_p50_ms', Number(median(sale).toFixed(1)), 'ms');
    report('cross_station_sale_p95_ms', Number(percentile(sale, 95).toFixed(1)), 'ms');
  } finally {
    await Promise.all(stations.map((s) => s.close()));
    await stopServer();
    await repo.db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
