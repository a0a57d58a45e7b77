/**
 * Foundation figures on the encrypted store (and on a plain file beside it): durable outbox appends, a
 * durable sale append's p99, card lookup at 100,000 cards,
 * browser-host cold start to a ready guard view, and the station process's RSS with 5,000 students.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { systemClock } from '../common/clock.ts';
import { randomBytes } from 'node:crypto';
import { openStore } from '../core/store/index.ts';
import { bundledStationEntry, startBrowserHost } from '../host/browser-host.ts';
import { chromiumPath } from '../playwright.config.ts';
import type { Report } from './run.ts';
import { median, percentile, table } from './stats.ts';

const RUNS = 3;

function hex(n: number, bytes: number): string {
  return n
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');
}

/** The station's files are encrypted (SQLCipher, a raw 32-byte key); `null` measures a plain file beside it. */
type Key = Buffer | null;

function durableAppends(dir: string, key: Key): { perSecond: number; passP99: number; saleP99: number } {
  const store = openStore(join(dir, 'append.db'), systemClock(), { key });
  const passTimes: number[] = [];
  const N = 2000;
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    store.outbox.append('pass', {
      direction: 'in',
      verdict: 'allow',
      reason: 'active',
      readerId: 'entry-1',
      gate: 'entry',
      card: { technology: 'iso14443', uid: `04${hex(i, 6)}` },
      holderKind: 'student',
      holderId: `S${i}`,
    });
    passTimes.push(performance.now() - t0);
  }
  const perSecond = N / ((performance.now() - started) / 1000);
  const saleTimes: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    store.outbox.append('sale', {
      saleId: `sale-${i}`,
      holderId: `S${i}`,
      card: { technology: 'iso14443', uid: `04${hex(i, 6)}` },
      lines: [
        { itemId: 'M02', name: 'Комплексный обед', category: 'Комплекс', price: 145_00, quantity: 1 },
        { itemId: 'M05', name: 'Сок яблочный', category: 'Напитки', price: 40_00, quantity: 2 },
      ],
      total: 225_00,
      subsidyPart: 0,
      accountPart: 225_00,
      verifiedByPhoto: true,
      offline: false,
      shiftId: 'shift-1',
      operatorId: 'E0001',
    });
    saleTimes.push(performance.now() - t0);
  }
  store.close();
  return { perSecond, passP99: percentile(passTimes, 99), saleP99: percentile(saleTimes, 99) };
}

function lookups(dir: string, key: Key): { p50us: number; p99us: number } {
  const store = openStore(join(dir, 'lookup.db'), systemClock(), { key });
  const CARDS = 100_000;
  const students = Array.from({ length: 25_000 }, (_, i) => ({
    id: `S${i}`,
    fullName: `Ученик ${i}`,
    className: `${1 + (i % 11)}А`,
    photoHash: null,
    status: 'active' as const,
  }));
  store.roster.upsertStudents(students);
  const cards = Array.from({ length: CARDS }, (_, i) => ({
    technology: 'iso14443' as const,
    uid: `04${hex(i * 7919, 6)}`,
    holderKind: 'student' as const,
    holderId: `S${i % students.length}`,
    status: 'active' as const,
    validUntil: null,
  }));
  store.roster.upsertCards(cards);
  const samples: number[] = [];
  for (let round = 0; round < 20_000; round++) {
    const card = cards[(round * 104729) % CARDS]!;
    const t0 = performance.now();
    const found = store.roster.lookupCard(card);
    samples.push((performance.now() - t0) * 1000);
    if (!found || 'ambiguous' in found || !found.holder) throw new Error('lookup missed a card');
  }
  store.close();
  return { p50us: median(samples), p99us: percentile(samples, 99) };
}

async function coldStart(dir: string): Promise<number> {
  if (!chromiumPath) throw new Error('no Chromium');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const dataDir = join(dir, `cold-${Math.random()}`);
  // A station that has run before (demo school seeded, guard mode chosen): cold start is process start → ready view.
  const warmup = await startBrowserHost({ dataDir, entry: bundledStationEntry });
  const page0 = await browser.newPage();
  await page0.goto(warmup.url);
  await page0.locator('.app[data-ready="true"]').waitFor();
  await page0.evaluate(() => undefined);
  await warmup.stop();
  const t0 = performance.now();
  const host = await startBrowserHost({ dataDir, entry: bundledStationEntry });
  const page = await browser.newPage();
  await page.goto(host.url);
  await page.locator('.app[data-ready="true"]').waitFor();
  const ms = performance.now() - t0;
  await host.stop();
  await browser.close();
  return ms;
}

async function stationRss(dir: string): Promise<number> {
  const dataDir = join(dir, 'rss');
  const host = await startBrowserHost({ dataDir, env: { STATION_DEMO_STUDENTS: '5000' } });
  await new Promise((r) => setTimeout(r, 1500));
  const { readFileSync } = await import('node:fs');
  const status = readFileSync(`/proc/${host.child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  await host.stop();
  return kb / 1024;
}

export default async function run(report: Report): Promise<void> {
  // Cold start is measured on what `npm start` runs: the built renderer and the bundled station process.
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: join(import.meta.dirname, '..'),
    stdio: 'inherit',
  });
  const dir = mkdtempSync(join(tmpdir(), 'station-bench-'));
  try {
    // Plain and encrypted alternate, run by run, so both see the same machine.
    const key = randomBytes(32);
    const plainAppends: ReturnType<typeof durableAppends>[] = [];
    const appends: ReturnType<typeof durableAppends>[] = [];
    const plainLooks: ReturnType<typeof lookups>[] = [];
    const looks: ReturnType<typeof lookups>[] = [];
    for (let i = 0; i < RUNS; i++) {
      plainAppends.push(durableAppends(mkdtempSync(join(dir, 'pa-')), null));
      appends.push(durableAppends(mkdtempSync(join(dir, 'a-')), key));
      plainLooks.push(lookups(mkdtempSync(join(dir, 'pl-')), null));
      looks.push(lookups(mkdtempSync(join(dir, 'l-')), key));
    }
    const colds: number[] = [];
    for (let i = 0; i < RUNS; i++) colds.push(await coldStart(dir));
    const rss = await stationRss(dir);
    table(
      appends.map((a, i) => ({
        run: i + 1,
        'appends/s': Math.round(a.perSecond),
        'pass append p99 ms': a.passP99.toFixed(2),
        'sale append p99 ms': a.saleP99.toFixed(2),
        'plain sale p99 ms': plainAppends[i]!.saleP99.toFixed(2),
        'plain lookup p99 µs': plainLooks[i]!.p99us.toFixed(1),
        'lookup p50 µs': looks[i]!.p50us.toFixed(1),
        'lookup p99 µs': looks[i]!.p99us.toFixed(1),
        'cold start ms': Math.round(colds[i]!),
      })),
    );
    report('outbox_append_per_s', Math.round(median(appends.map((a) => a.perSecond))), 'appends/s');
    report('outbox_append_p99_ms', median(appends.map((a) => a.passP99)), 'ms');
    report('sale_store_p99_ms', median(appends.map((a) => a.saleP99)), 'ms');
    report('lookup_p50_us', median(looks.map((l) => l.p50us)), 'µs');
    report('lookup_p99_us', median(looks.map((l) => l.p99us)), 'µs');
    // The same figures on an unencrypted file in the same run: what encryption costs.
    report('sale_store_p99_ms_plain', median(plainAppends.map((a) => a.saleP99)), 'ms');
    report('lookup_p99_us_plain', median(plainLooks.map((l) => l.p99us)), 'µs');
    report('cold_start_ms', Math.round(median(colds)), 'ms');
    report('station_rss_mb', Math.round(rss), 'MB');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
