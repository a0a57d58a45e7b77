/**
 * Guard post: tap to verdict on screen (DESIGN.md §6, issue 5), with 5,000 students and 20,000 cards.
 * The whole path is real: virtual cards on pcscd + vpcd, the station process under the browser host with
 * its PC/SC driver, the guard view in Chromium. Per tap:
 *   guard_own_share_p95_ms            the station process got the driver's card event → photo painted in the page
 *   guard_tap_to_paint_p95_ms         pcscd powered the virtual card → photo painted (the rig's total)
 *   guard_own_share_during_sync_ratio own share p95 while a roster sync (5,000 students, pages of 500) runs / quiet p95
 * "Painted" is the first task after the frame that shows the pass's big card with its portrait decoded.
 * Both ends read the same clock (performance.timeOrigin + now, epoch ms) on this machine.
 * Then a soak: taps at two readers (entry and exit) as fast as the rig allows; every tap must reach
 * the screen and the station's RSS must stay flat.
 *   npm run bench -- guard          GUARD_BENCH_TAPS (default 200), GUARD_SOAK_TAPS (default 300)
 */
import { execFileSync, spawn } from 'node:child_process';
import { crc32, deflateSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import type { Card } from '../common/domain.ts';
import { systemClock } from '../core/clock.ts';
import { seedDemoSchool } from '../core/demo-seed.ts';
import { PhotoStore } from '../core/photos.ts';
import { openStore } from '../core/store/index.ts';
import { startBrowserHost, type BrowserHost } from '../host/browser-host.ts';
import { chromiumPath } from '../playwright.config.ts';
import { seedDemoSchool as seedServerSchool } from '../server/admin.ts';
import { startPcscRig, VIRTUAL_READERS, type PcscRig } from '../test/helpers/pcsc-rig.ts';
import { freePort } from '../test/helpers/postgres.ts';
import { enrollDirect, openRepo, spawnServer } from '../test/helpers/sync-rig.ts';
import type { Report } from './run.ts';
import { median, percentile, table } from './stats.ts';

const STUDENTS = 5000;
const CARDS = 20_000;
const TAPS = Number(process.env.GUARD_BENCH_TAPS ?? 200);
const SOAK_TAPS = Number(process.env.GUARD_SOAK_TAPS ?? 300);
const WARMUP = 5;

const NAMES = ['guard_tap_to_paint_p95_ms', 'guard_own_share_p95_ms', 'guard_own_share_during_sync_ratio'] as const;

/**
 * A 300×400 PNG portrait (tens of KB), distinct per seed: a gradient with a little noise. Schools hold
 * raster photos (JPEG/PNG); the demo school's SVG portraits cost Chromium far more to load than those,
 * so the figures are measured on raster portraits (GUARD_BENCH_SVG=1 keeps the SVG ones).
 */
function rasterPortrait(seed: number): Buffer {
  const w = 300;
  const h = 400;
  let a = seed * 2654435761;
  const rnd = () => ((a = (a * 1664525 + 1013904223) >>> 0) >>> 24) & 0x01;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const [r0, g0, b0] = [(seed * 37) % 200, (seed * 91) % 200, (seed * 53) % 200];
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < w; x++) {
      const i = row + 1 + x * 3;
      raw[i] = r0 + (x * 55) / w;
      raw[i + 1] = g0 + (y * 55) / h + (x % 3 === 0 ? rnd() : 0);
      raw[i + 2] = b0;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The station's data folder: the demo school at 5,000 students, topped up to 20,000 cards (old, replaced ones). */
function prepareStation(dataDir: string): { tapUids: string[] } {
  mkdirSync(dataDir, { recursive: true });
  const clock = systemClock();
  const store = openStore(join(dataDir, 'station.db'), clock);
  seedDemoSchool(store, new PhotoStore(join(dataDir, 'photos')), clock, STUDENTS);
  const students = store.db.prepare<[], { id: string }>('SELECT id FROM students ORDER BY id').all();
  const extra: Card[] = [];
  for (let i = store.roster.counts().cards; i < CARDS; i++) {
    extra.push({
      technology: 'iso14443',
      uid: `05${i.toString(16).toUpperCase().padStart(12, '0')}`,
      holderKind: 'student',
      holderId: students[i % students.length]!.id,
      status: 'blocked',
      validUntil: null,
    });
  }
  store.roster.upsertCards(extra);
  const tapUids = store.db
    .prepare<[number], { uid: string }>(
      `SELECT c.uid FROM cards c JOIN students s ON s.id = c.holder_id
        WHERE c.technology = 'iso14443' AND c.status = 'active' AND c.holder_kind = 'student' AND s.photo_hash IS NOT NULL
        ORDER BY c.holder_id LIMIT ?`,
    )
    .all(2 * (TAPS + WARMUP) + SOAK_TAPS)
    .map((r) => r.uid);
  if (process.env.GUARD_BENCH_SVG !== '1') {
    const photos = new PhotoStore(join(dataDir, 'photos'));
    const holders = store.db
      .prepare<[string], { holder_id: string }>("SELECT holder_id FROM cards WHERE technology = 'iso14443' AND uid = ?");
    const setPhoto = store.db.prepare<[string, string], never>('UPDATE students SET photo_hash = ? WHERE id = ?');
    let bytes = 0;
    store.db.transaction(() => {
      tapUids.forEach((uid, i) => {
        const png = rasterPortrait(i + 1);
        bytes += png.length;
        setPhoto.run(photos.put(png), holders.get(uid)!.holder_id);
      });
    })();
    console.log(`  portraits: ${tapUids.length} PNG 300×400, ${(bytes / tapUids.length / 1000).toFixed(0)} KB each on average`);
  }
  store.settings.update({
    mode: 'guard',
    readers: [
      { id: 'entry', kind: 'pcsc', role: 'entry', label: '', readerName: VIRTUAL_READERS[0] },
      { id: 'exit', kind: 'pcsc', role: 'exit', label: '', readerName: VIRTUAL_READERS[1] },
    ],
  });
  console.log(`  station: ${JSON.stringify(store.roster.counts())}`);
  store.close();
  return { tapUids };
}

interface Paint {
  id: string;
  at: number;
  received: number | null;
  arrived: number | null;
  commit: number;
  loaded: number;
}

const paintCount = (page: Page) => page.evaluate(() => window.__guardPaints?.length ?? 0);

async function nextPaint(page: Page, before: number): Promise<Paint> {
  const handle = await page.waitForFunction(
    (n) => {
      const p = window.__guardPaints;
      if (!p || p.length <= n) return null;
      const last = p[p.length - 1]!;
      return { id: last.id, at: last.at, commit: last.commit, loaded: last.loaded, received: window.__guardReceived?.get(last.id) ?? null, arrived: window.__guardArrived?.get(last.id) ?? null };
    },
    before,
    { polling: 'raf', timeout: 10_000 },
  );
  return (await handle.jsonValue()) as Paint;
}

/** One tap at a time on the entry reader: own share and the rig's total per tap. */
async function measure(page: Page, rig: PcscRig, uids: readonly string[]): Promise<{ own: number[]; total: number[]; bridge: number[]; render: number[]; photo: number[]; frame: number[] }> {
  const own: number[] = [];
  const total: number[] = [];
  const bridge: number[] = [];
  const render: number[] = [];
  const photo: number[] = [];
  const frame: number[] = [];
  for (const [i, uid] of uids.entries()) {
    const before = await paintCount(page);
    const card = await rig.tap(uid, { slot: 0 });
    const paint = await nextPaint(page, before);
    const powered = performance.timeOrigin + (await card.poweredOn);
    await card.remove();
    if (i < WARMUP || paint.received === null) continue;
    own.push(paint.at - paint.received);
    total.push(paint.at - powered);
    if (paint.arrived !== null) {
      bridge.push(paint.arrived - paint.received);
      render.push(paint.commit - paint.arrived);
    }
    photo.push(paint.loaded - paint.commit);
    frame.push(paint.at - paint.loaded);
  }
  return { own, total, bridge, render, photo, frame };
}

function stationRssMb(host: BrowserHost): number {
  const status = readFileSync(`/proc/${host.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A roster sync running beside the station on its SQLite file until stopped (see guard-roster-load.ts). */
async function startRosterLoad(dir: string, dbPath: string): Promise<{ stop(): Promise<string> }> {
  const storage = { kind: 'sqlite' as const, dataDir: join(dir, 'server') };
  const repo = await openRepo(storage);
  await seedServerSchool(repo, { students: STUDENTS, menuDays: 1 });
  const server = await spawnServer(storage, await freePort());
  const creds = await enrollDirect(repo, server.url, join(dir, 'load-token.json'));
  await repo.db.close();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'guard-roster-load.ts'), dbPath, server.url, creds.token], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`roster load exited ${code}`)));
  });
  // Let the first pages land before measuring.
  await new Promise((r) => setTimeout(r, 1500));
  return {
    stop: async () => {
      const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      child.stdin.end();
      await done;
      await server.kill('SIGTERM');
      return /rounds \d+ rows \d+/.exec(out)?.[0] ?? out.trim();
    },
  };
}

export default async function guardBench(report: Report): Promise<void> {
  if (!chromiumPath) {
    for (const n of NAMES) report(n, 'no Chromium on this machine', '');
    return;
  }
  // The page under test is the built renderer, as the browser host serves it: build it as the e2e run does.
  if (process.env.SKIP_RENDERER_BUILD !== '1') {
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.renderer.config.ts', '--logLevel', 'error'], {
      cwd: join(import.meta.dirname, '..'),
      stdio: 'inherit',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'ss-bench-guard-'));
  let rig: PcscRig | null = null;
  let host: BrowserHost | null = null;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const dataDir = join(dir, 'station');
    const seedStart = performance.now();
    const { tapUids } = prepareStation(dataDir);
    console.log(`  seeded ${STUDENTS} students, ${CARDS} cards in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    try {
      rig = await startPcscRig({ lockTimeoutMs: 180_000 });
    } catch (err) {
      for (const n of NAMES) report(n, `no PC/SC rig: ${(err as Error).message}`, '');
      return;
    }
    host = await startBrowserHost({ dataDir, env: rig.env });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.getByTestId('guard-view').waitFor();
    await page.locator('[data-testid="reader-entry"].reader-ready').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="reader-exit"].reader-ready').waitFor({ timeout: 30_000 });

    const n = TAPS + WARMUP;
    const quiet = await measure(page, rig, tapUids.slice(0, n));
    const photoTimes = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/photos/'))
        .map((e) => e.duration),
    );
    console.log(`  portrait fetch in the page (resource timing): p50 ${median(photoTimes).toFixed(1)} ms, p95 ${percentile(photoTimes, 95).toFixed(1)} ms over ${photoTimes.length}`);
    const load = await startRosterLoad(dir, join(dataDir, 'station.db'));
    const during = await measure(page, rig, tapUids.slice(n, 2 * n));
    const loadDone = await load.stop();
    console.log(`  roster sync beside the taps: ${loadDone}`);

    table([
      { phase: 'quiet', taps: quiet.own.length, station_to_page_p50_ms: median(quiet.bridge).toFixed(1), render_p50_ms: median(quiet.render).toFixed(1), photo_wait_p50_ms: median(quiet.photo).toFixed(1), to_frame_p50_ms: median(quiet.frame).toFixed(1), own_p50_ms: median(quiet.own).toFixed(1), own_p95_ms: percentile(quiet.own, 95).toFixed(1), total_p50_ms: median(quiet.total).toFixed(1), total_p95_ms: percentile(quiet.total, 95).toFixed(1) },
      { phase: 'during roster sync', taps: during.own.length, station_to_page_p50_ms: median(during.bridge).toFixed(1), render_p50_ms: median(during.render).toFixed(1), photo_wait_p50_ms: median(during.photo).toFixed(1), to_frame_p50_ms: median(during.frame).toFixed(1), own_p50_ms: median(during.own).toFixed(1), own_p95_ms: percentile(during.own, 95).toFixed(1), total_p50_ms: median(during.total).toFixed(1), total_p95_ms: percentile(during.total, 95).toFixed(1) },
    ]);
    report('guard_tap_to_paint_p95_ms', Number(percentile(quiet.total, 95).toFixed(1)), 'ms');
    report('guard_own_share_p95_ms', Number(percentile(quiet.own, 95).toFixed(1)), 'ms');
    report('guard_own_share_during_sync_ratio', Number((percentile(during.own, 95) / percentile(quiet.own, 95)).toFixed(2)), '');

    // Soak: both readers at once, as fast as the rig lets a card come and go.
    const soakUids = tapUids.slice(2 * n, 2 * n + SOAK_TAPS);
    const rssBefore = stationRssMb(host);
    const receivedCount = () => page.evaluate(() => window.__guardReceived?.size ?? 0);
    const receivedBefore = await receivedCount();
    const soakStart = performance.now();
    const lane = async (slot: 0 | 1, uids: string[]) => {
      for (const uid of uids) {
        const card = await rig!.tap(uid, { slot });
        await card.getData;
        await card.remove({ settle: true });
      }
    };
    await Promise.all([lane(0, soakUids.filter((_, i) => i % 2 === 0)), lane(1, soakUids.filter((_, i) => i % 2 === 1))]);
    await page.waitForTimeout(500);
    const soakS = (performance.now() - soakStart) / 1000;
    // Two lanes can land in one frame: the later tap replaces the earlier at once, so count arrivals on screen.
    const painted = (await receivedCount()) - receivedBefore;
    const feed = await page.getByTestId('guard-feed').locator('li').count();
    const rssAfter = stationRssMb(host);
    console.log(
      `  soak: ${soakUids.length} taps at two readers in ${soakS.toFixed(0)} s (${((soakUids.length / soakS) * 60).toFixed(0)}/min); reached the screen ${painted}; feed rows ${feed}; station RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`,
    );
    report('guard_soak_taps_not_painted', soakUids.length - painted, 'taps');
    report('guard_soak_rss_growth_mb', Number((rssAfter - rssBefore).toFixed(1)), 'MB');
  } finally {
    await browser.close();
    await host?.stop();
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
