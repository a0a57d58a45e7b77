/**
 * Guard post end to end: the station process under the browser host with a real SQLite data
 * folder, the turnstile relay on a socat pty (an LCUS board played on the far end), real Chromium.
 * Cards come through the station's own simulated readers (entry and exit) by the bridge's demo.tap,
 * so every tap takes the same path as a hardware reader's card event inside the station process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { openStationDb } from '../helpers/station-db.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { v7 as uuidv7 } from 'uuid';
import { DEMO_SPARE_CARDS, generateDemoSchool } from '../../common/demo-school.ts';
import { encodeBinaryFrame } from '../../common/reader-frames.ts';
import { GateConfig, type ReaderConfig } from '../../common/readers.ts';
import { systemClock } from '../../common/clock.ts';
import { seedDemoSchool } from '../../core/demo-seed.ts';
import { PhotoStore } from '../../node/photos.ts';
import { openStore } from '../../core/store/index.ts';
import { lcusCommand } from '../../hardware/relay.ts';
import { startBrowserHost, type BrowserHost } from '../../host/browser-host.ts';
import { seedDemoSchool as seedServerSchool } from '../../server/admin.ts';
import { openServerDatabase, startServer, type RunningServer } from '../../server/index.ts';
import { Repo } from '../../server/repo.ts';
import { createBackendClient } from '../../sync/client.ts';
import { startLcusBoard, type LcusBoard } from '../helpers/lcus-board.ts';
import { startPcscRig, VIRTUAL_READERS, type PcscRig } from '../helpers/pcsc-rig.ts';
import { startPtyPair, type PtyPair } from '../helpers/socat.ts';
import { bridge, expect, test } from './fixtures.ts';
import { lastTone } from './tones.ts';
import { GUARD_TONES } from '../../renderer/src/guard/guard-sound.ts';

type ReaderConfigInput = Partial<ReaderConfig> & Pick<ReaderConfig, 'id' | 'kind' | 'role'>;

interface CardRow {
  technology: 'iso14443' | 'em4100';
  uid: string;
  status: string;
  holderKind: 'student' | 'staff';
  holderId: string;
  fullName: string;
  group: string;
  photoHash: string | null;
}

interface GuardStation {
  host: BrowserHost;
  pair: PtyPair;
  board: LcusBoard;
  dataDir: string;
  cards: CardRow[];
  stop(): Promise<void>;
}

/** A data folder with the demo school (30 students with portraits), guard mode, two readers and the relay on a pty. */
async function startGuardStation(
  options: { readers?: (relayPath: string) => ReaderConfigInput[]; env?: Record<string, string>; seedDemo?: boolean } = {},
): Promise<GuardStation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'guard-e2e-'));
  const pair = await startPtyPair();
  const board = await startLcusBoard(pair);
  const store = openStore(join(dataDir, 'station.db'), systemClock());
  if (options.seedDemo !== false) seedDemoSchool(store, new PhotoStore(join(dataDir, 'photos')), systemClock(), 30);
  store.settings.update({
    mode: 'guard',
    readers: options.readers?.(pair.stationPath) ?? [
      { id: 'entry', kind: 'simulated', role: 'entry', label: '' },
      { id: 'exit', kind: 'simulated', role: 'exit', label: '' },
      { id: 'spare-reader', kind: 'simulated', role: 'none', label: '' },
    ],
    guard: { antiPassback: 'off', relay: GateConfig.parse({ kind: 'lcus', path: pair.stationPath, pulseMs: 300, confirm: false }) },
  });
  const cards = store.roster.listCardsWithHolders(500).map((c) => ({
    technology: c.card.technology,
    uid: c.card.uid,
    status: c.card.status,
    holderKind: c.card.holderKind,
    holderId: c.card.holderId,
    fullName: c.holder?.fullName ?? '',
    group: c.holder?.group ?? '',
    photoHash: c.holder?.photoHash ?? null,
  }));
  store.close();
  const host = await startBrowserHost({ dataDir, env: options.env ?? {} });
  return {
    host,
    pair,
    board,
    dataDir,
    cards,
    stop: async () => {
      await host.stop();
      await pair.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function tap(page: Page, readerId: string, card: { technology: string; uid: string }): Promise<void> {
  await bridge(page, 'demo.tap', { readerId, technology: card.technology, uid: card.uid });
}

/** The relay commands the board received after byte `from`, as 4-byte groups. */
function commandsAfter(board: LcusBoard, from = 0): number[][] {
  const bytes = board.received().slice(from);
  const out: number[][] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) out.push(bytes.slice(i, i + 4));
  return out;
}

let station: GuardStation;
test.afterEach(async () => {
  await station.stop();
});

async function openGuard(page: Page, options: Parameters<typeof startGuardStation>[0] = {}): Promise<void> {
  station = await startGuardStation(options);
  await page.goto(station.host.url);
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('guard-view')).toBeVisible();
  await expect(page.getByTestId('guard-idle')).toBeVisible();
}

const lastTap = (page: Page) => page.getByTestId('last-tap');

// The station seeds the demo school's staff with their demo PINs (core/demo-seed.ts): the guard's is known here.
const demoStaff = generateDemoSchool({ students: 30, date: '2026-11-23', now: '2026-11-23T05:00:00.000Z' }).staff;
const demoGuard = demoStaff.find((s) => s.roles.includes('guard'))!;

/** The station's outbox as the backend will get it, read from the data folder's SQLite file. */
function outbox(dataDir: string): { type: string; payload: Record<string, unknown> }[] {
  const db = openStationDb(dataDir);
  try {
    return db
      .prepare<[], { type: string; payload: string }>('SELECT type, payload FROM outbox ORDER BY seq')
      .all()
      .map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

test('each verdict on the big card: allow opens the relay (bytes on the far pty), deny does not; screenshots', async ({ page }, testInfo) => {
  await openGuard(page);
  const student = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student' && c.technology === 'iso14443')!;

  await tap(page, 'entry', student);
  await expect(lastTap(page)).toHaveAttribute('data-verdict', 'allow');
  await expect(lastTap(page).getByTestId('holder-name')).toHaveText(student.fullName);
  await expect(lastTap(page).getByTestId('guard-group')).toHaveText(student.group);
  await expect(lastTap(page).getByTestId('guard-verdict')).toContainText('ПРОХОДИТЕ');
  // The verdict word is read at a glance: one line, never broken into pieces, inside its coloured box.
  const verdictLayout = await lastTap(page)
    .getByTestId('guard-verdict')
    .evaluate((box) => {
      const word = box.querySelector('.g-word')!;
      const range = document.createRange();
      range.selectNodeContents(word);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      return { lines, inside: word.getBoundingClientRect().right <= box.getBoundingClientRect().right + 0.5 };
    });
  expect(verdictLayout).toEqual({ lines: 1, inside: true });
  const photo = lastTap(page).locator('img.photo');
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  // The portrait came with the tap's event (no second trip to the station) and is this holder's photo.
  const sameAsStored = await photo.evaluate(async (img: HTMLImageElement, hash: string) => {
    if (!img.src.startsWith('data:image/')) return `not a data URL: ${img.src.slice(0, 40)}`;
    const stored = new Uint8Array(await (await fetch(`/photos/${hash}`)).arrayBuffer());
    const sent = Uint8Array.from(atob(img.src.slice(img.src.indexOf(',') + 1)), (c) => c.charCodeAt(0));
    return stored.length === sent.length && stored.every((b, i) => b === sent[i]);
  }, student.photoHash!);
  expect(sameAsStored).toBe(true);
  await station.board.far.waitFor(4);
  expect(station.board.received().slice(0, 4)).toEqual(lcusCommand(1, true));
  await expect(page.getByTestId('counter-inside')).toHaveText('1');
  await expect.poll(() => lastTone(page, GUARD_TONES)).toBe('allow');
  await page.screenshot({ path: testInfo.outputPath('guard-allow.png') });

  // Exit through the other reader: the exit channel opens.
  await tap(page, 'exit', student);
  await expect(lastTap(page)).toContainText('Выход');
  await expect.poll(() => commandsAfter(station.board)).toContainEqual(lcusCommand(2, true));
  await expect(page.getByTestId('counter-inside')).toHaveText('0');
  await expect(page.getByTestId('counter-entered')).toHaveText('1');

  const blocked = station.cards.find((c) => c.status === 'blocked')!;
  await page.waitForTimeout(400); // the exit pulse closes
  const before = station.board.received().length;
  await tap(page, 'entry', blocked);
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'card_blocked');
  await expect(lastTap(page).getByTestId('guard-verdict')).toContainText('СТОП');
  await expect(lastTap(page).getByTestId('guard-reason')).toHaveText('Карта заблокирована');
  await expect.poll(() => lastTone(page, GUARD_TONES)).toBe('alarm');
  await page.screenshot({ path: testInfo.outputPath('guard-deny.png') });

  await tap(page, 'entry', { technology: 'em4100', uid: '0600ABCDEF' });
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'unknown_card');
  await expect(lastTap(page).getByTestId('guard-card-number')).toContainText('0011259375');
  await expect(lastTap(page).getByTestId('holder-name')).toHaveCount(0);
  // The title is read at a glance too: no word of «Неизвестная карта» is split over two lines.
  const brokenWords = await lastTap(page)
    .getByTestId('guard-name')
    .evaluate((h1) => {
      const text = h1.firstChild!;
      const broken: string[] = [];
      for (const m of (text.textContent ?? '').matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(text, m.index);
        range.setEnd(text, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) broken.push(m[0]);
      }
      return broken;
    });
  expect(brokenWords).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('guard-unknown.png') });
  // The denies opened nothing.
  await page.waitForTimeout(200);
  expect(station.board.received().length).toBe(before);

  const temporary = station.cards.find((c) => c.status === 'temporary')!;
  await tap(page, 'entry', temporary);
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'temporary_card');
  await expect(lastTap(page).getByTestId('notice-temporary_card')).toBeVisible();

  const lost = station.cards.find((c) => c.status === 'lost')!;
  await tap(page, 'entry', lost);
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'card_lost');
  await tap(page, 'entry', { technology: 'iso14443', uid: '08A1B2C3' });
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'random_uid');
  await expect(lastTap(page).getByTestId('guard-name')).toHaveText('Эту карту нельзя использовать как пропуск');
  await tap(page, 'spare-reader', student);
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'reader_no_role');

  // The temporary card opened the entry channel; the lost card, the random id and the role-less reader did not.
  await station.board.far.waitFor(before + 4);
  await page.waitForTimeout(400);
  expect(station.board.received().slice(before)).toEqual([...lcusCommand(1, true), ...lcusCommand(1, false)]);

  // The strip keeps the earlier taps; the feed filters to alarms.
  await expect(page.getByTestId('guard-strip').locator('li')).toHaveCount(6);
  await page.getByTestId('guard-alarms-only').click();
  await expect(page.getByTestId('guard-feed').locator('li')).toHaveCount(3);
  await expect(page.getByTestId('counter-alarms')).toHaveText('3');

  // Every tap that names a direction and a card went to the outbox as a pass (random id and role-less reader did not).
  const status = await bridge<{ sync: { eventsWaiting: number } }>(page, 'station.getStatus', {});
  expect(status.sync.eventsWaiting).toBe(6);
});

test('a tap replaces the one on screen at once', async ({ page }) => {
  await openGuard(page);
  const [a, b] = station.cards.filter((c) => c.status === 'active' && c.holderKind === 'student');
  await tap(page, 'entry', a!);
  await tap(page, 'entry', b!);
  await expect(lastTap(page).getByTestId('holder-name')).toHaveText(b!.fullName);
  await expect(page.getByTestId('guard-strip')).toContainText(a!.fullName);
});

test('search with photo, manual open with a reason, visitor pass and a spare card for a forgotten one', async ({ page }) => {
  await openGuard(page);
  const student = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student')!;
  const surname = student.fullName.split(' ')[0]!;

  await page.getByTestId('guard-search-open').click();
  await page.getByTestId('guard-search-input').fill(surname.toLowerCase());
  const person = page.getByTestId('guard-person').filter({ hasText: student.fullName });
  await expect(person).toBeVisible();
  await expect(person.locator('img.photo')).toBeVisible();
  await person.click();
  // Nobody is on duty: the dialog asks who is acting, then names them on the PIN field; the action waits for both.
  await expect(page.getByTestId('manual-open')).toBeDisabled();
  await page
    .getByTestId('operator-people')
    .getByRole('radio', { name: new RegExp(demoGuard.fullName) })
    .click();
  await expect(page.getByText(`ПИН-код: ${demoGuard.fullName}`)).toBeVisible();
  await expect(page.getByTestId('manual-open')).toBeDisabled();
  await page.getByTestId('operator-pin').fill(demoGuard.pin);
  await page.getByTestId('manual-reason-other').check();
  await page.getByTestId('manual-open').click();
  await expect(page.getByRole('alert')).toContainText('Другое');
  // The PIN signed the guard in: the field is gone, and the name is on the screen.
  await expect(page.getByTestId('guard-duty-name')).toHaveText(demoGuard.fullName);
  await expect(page.getByTestId('operator-pin')).toHaveCount(0);
  await expect(page.getByTestId('status-operator')).toHaveText(`На посту: ${demoGuard.fullName}`);
  await page.getByTestId('manual-reason-forgot_card').check();
  await page.getByTestId('manual-note').fill('классный руководитель подтвердил');
  await page.getByTestId('manual-open').click();
  await expect(page.getByTestId('guard-dialog-message')).toContainText('Турникет открыт');
  await station.board.far.waitFor(4);
  expect(station.board.received().slice(0, 4)).toEqual(lcusCommand(1, true));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('guard-feed').locator('li').first()).toContainText(student.fullName);

  await page.getByTestId('guard-visitor-open').click();
  await page.getByTestId('visitor-name').fill('Кузнецов Олег Петрович');
  await page.getByTestId('visitor-note').fill('к директору');
  await page.getByTestId('visitor-open').click();
  await expect(page.getByTestId('guard-feed').locator('li').first()).toContainText('Кузнецов Олег Петрович');
  // The visitor's note is shown apart, never in the name heading.
  await expect(page.getByTestId('guard-name')).toHaveText('Посетитель: Кузнецов Олег Петрович');
  await expect(page.getByTestId('guard-note')).toHaveText('к директору');
  await expect(page.getByTestId('guard-feed').locator('li').first()).not.toContainText('к директору');
  await expect(page.getByTestId('counter-entered')).toHaveText('2');

  // Forgotten card: a spare card from the stock, bound until the end of the day.
  const other = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student' && c.holderId !== student.holderId)!;
  await page.getByTestId('guard-spare-open').click();
  await page.getByTestId('guard-search-input').fill(other.group);
  await page.getByTestId('guard-person').filter({ hasText: other.fullName }).click();
  await page.getByTestId('spare-card').first().click();
  await expect(page.getByTestId('guard-dialog-message')).toContainText('Баланс остаётся на счёте');
  await page.keyboard.press('Escape');
  const spares = await bridge<{ cards: { uid: string; technology: string; boundTo: { id: string } | null }[] }>(page, 'guard.spareCards', {});
  const bound = spares.cards.find((c) => c.boundTo?.id === other.holderId)!;
  await tap(page, 'entry', bound);
  await expect(lastTap(page)).toHaveAttribute('data-reason', 'temporary_card');
  await expect(lastTap(page).getByTestId('holder-name')).toHaveText(other.fullName);

  const events = await bridge<{ sync: { eventsWaiting: number } }>(page, 'station.getStatus', {});
  // guard_duty_start, manual_open, visitor_pass, temp_card_bind, pass
  expect(events.sync.eventsWaiting).toBe(5);
  expect(outbox(station.dataDir).map((e) => [e.type, e.payload.operatorId])).toEqual([
    ['guard_duty_start', demoGuard.id],
    ['manual_open', demoGuard.id],
    ['visitor_pass', demoGuard.id],
    ['temp_card_bind', demoGuard.id],
    ['pass', undefined],
  ]);
});

test('emergency mode: guarded start, both directions held open, the roll call by class with staff apart, export, logged end', async ({ page }, testInfo) => {
  await openGuard(page);
  const students = station.cards.filter((c) => c.status === 'active' && c.holderKind === 'student' && c.technology === 'iso14443').slice(0, 6);
  const teacher = station.cards.find((c) => c.status === 'active' && c.holderKind === 'staff')!;
  for (const s of students) await tap(page, 'entry', s);
  await tap(page, 'entry', teacher);
  await tap(page, 'exit', students[0]!);
  await expect(page.getByTestId('counter-inside')).toHaveText('6');
  await page.waitForTimeout(400);
  const before = station.board.received().length;

  await page.getByTestId('guard-emergency-open').click();
  await expect(page.getByTestId('emergency-confirm')).toBeVisible();
  // Nobody is on duty, and no PIN is asked: a fire does not wait.
  await expect(page.getByTestId('emergency-nobody-on-duty')).toBeVisible();
  await page.getByTestId('emergency-confirm-yes').click();
  await expect(page.getByTestId('emergency-banner')).toBeVisible();
  await station.board.far.waitFor(before + 8);
  expect(station.board.received().slice(before, before + 8)).toEqual([...lcusCommand(1, true), ...lcusCommand(2, true)]);
  await expect(page.getByTestId('emergency-count')).toContainText('6');
  await expect(page.getByTestId('emergency-staff')).toContainText(teacher.fullName);
  const listText = await page.getByTestId('emergency-list').innerText();
  expect(listText).not.toContain(students[0]!.fullName);
  for (const s of students.slice(1)) expect(listText).toContain(s.fullName);
  await page.screenshot({ path: testInfo.outputPath('guard-emergency.png'), fullPage: true });

  // Leaving during the emergency is recorded and the roll call follows.
  await tap(page, 'exit', students[1]!);
  await expect(page.getByTestId('emergency-count')).toContainText('5');
  expect(station.board.channels.get(2)).toBe(true);

  // A real morning: far more passes than the feed keeps (60). The roll call still follows every one.
  const used = new Set(students.map((s) => s.holderId));
  const others = [
    ...new Map(
      station.cards
        .filter((c) => c.status === 'active' && c.holderKind === 'student' && c.technology === 'iso14443' && !used.has(c.holderId))
        .map((c) => [c.holderId, c]),
    ).values(),
  ];
  // Paced below the flood guard (8 taps in 2 s per reader), as people pass a turnstile.
  const paced = async (reader: string, card: CardRow) => {
    await tap(page, reader, card);
    await page.waitForTimeout(280);
  };
  for (const c of others) await paced('entry', c);
  for (const c of others) await paced('exit', c);
  for (const c of others) await paced('entry', c);
  // More passes today than the feed holds, so its length no longer changes with a new pass.
  expect(others.length * 3 + 10).toBeGreaterThan(60);
  expect(await page.getByTestId('guard-feed').locator('li').count()).toBeLessThan(others.length * 3 + 10);
  await expect(page.getByTestId('emergency-count')).toContainText(String(5 + others.length));
  await paced('exit', students[2]!);
  await expect(page.getByTestId('emergency-count')).toContainText(String(4 + others.length));
  await expect(page.getByTestId('emergency-list')).not.toContainText(students[2]!.fullName);
  await expect(page.getByTestId('emergency-updated')).toContainText('Список на');

  const download = page.waitForEvent('download');
  await page.getByTestId('emergency-export').click();
  const file = await download;
  await expect(page.getByTestId('emergency-saved')).toContainText('inside-');
  const saved = readFileSync((await file.path())!, 'utf8');
  expect(saved).toContain(students[3]!.fullName);
  expect(saved).not.toContain(students[2]!.fullName);

  await page.getByTestId('emergency-end').click();
  await expect(page.getByTestId('emergency-end-yes')).toBeDisabled();
  await page
    .getByTestId('operator-people')
    .getByRole('radio', { name: new RegExp(demoGuard.fullName) })
    .click();
  await page.getByTestId('operator-pin').fill(demoGuard.pin);
  await page.getByTestId('emergency-end-yes').click();
  await expect(page.getByTestId('emergency-banner')).toHaveCount(0);
  await page.waitForTimeout(200);
  expect(station.board.channels.get(1)).toBe(false);
  expect(station.board.channels.get(2)).toBe(false);
  const feed = await bridge<{ items: { reason: string }[] }>(page, 'guard.feed', { limit: 5 });
  expect(feed.items.map((i) => i.reason)).toContain('emergency_ended');
  const logged = outbox(station.dataDir);
  expect(logged.find((e) => e.type === 'emergency_start')?.payload).toMatchObject({ operatorId: null, nobodyOnDuty: true });
  expect(logged.find((e) => e.type === 'emergency_end')?.payload).toMatchObject({ operatorId: demoGuard.id });
});

test('the guard goes on duty with the PIN on screen: the name is shown, a manual open is logged with that operator; then off duty', async ({
  page,
}, testInfo) => {
  await openGuard(page);
  const duty = page.getByTestId('guard-duty');
  await expect(duty).toContainText('На посту никто не отмечен');
  await page.getByTestId('guard-sign-in').click();
  const dialog = page.getByTestId('guard-dialog-sign-in');
  // The person first, then the PIN pad names them.
  await dialog
    .getByTestId('guard-duty-people')
    .getByRole('radio', { name: new RegExp(demoGuard.fullName) })
    .click();
  const [surname, first, middle] = demoGuard.fullName.split(' ');
  await expect(dialog.getByTestId('guard-pin-label')).toHaveText(`ПИН-код: ${surname} ${first![0]}. ${middle![0]}.`);
  for (const d of '9999') await dialog.getByTestId('guard-pin').getByRole('button', { name: d, exact: true }).click();
  await dialog.getByTestId('guard-sign-in-confirm').click();
  await expect(page.getByTestId('guard-sign-in-error')).toContainText('Неверный ПИН-код');
  for (const d of demoGuard.pin) await dialog.getByTestId('guard-pin').getByRole('button', { name: d, exact: true }).click();
  await dialog.getByTestId('guard-sign-in-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('guard-duty-name')).toHaveText(demoGuard.fullName);
  await expect(page.getByTestId('guard-duty-position')).toHaveText(demoGuard.position);

  // Taps go on as before, and a manual open asks no PIN now.
  const student = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student')!;
  await tap(page, 'entry', student);
  await expect(lastTap(page)).toHaveAttribute('data-verdict', 'allow');
  await page.screenshot({ path: testInfo.outputPath('guard-on-duty.png') });
  await page.getByTestId('guard-search-open').click();
  await page.getByTestId('guard-search-input').fill(student.fullName.split(' ')[0]!);
  await page.getByTestId('guard-person').filter({ hasText: student.fullName }).click();
  await expect(page.getByTestId('operator-pin')).toHaveCount(0);
  await page.getByTestId('manual-reason-card_damaged').check();
  await page.getByTestId('manual-open').click();
  await expect(page.getByTestId('guard-dialog-message')).toContainText('Турникет открыт');
  await page.keyboard.press('Escape');

  await page.getByTestId('guard-sign-out').click();
  await expect(duty).toContainText('На посту никто не отмечен');
  expect(outbox(station.dataDir).map((e) => [e.type, e.payload.operatorId ?? null, e.payload.via ?? e.payload.cause ?? null])).toEqual([
    ['guard_duty_start', demoGuard.id, 'sign_in'],
    ['pass', null, null],
    ['manual_open', demoGuard.id, null],
    ['guard_duty_end', demoGuard.id, 'signed_out'],
  ]);
});

test('hardware path: a virtual card on pcscd at the entry reader, an EM-Marine frame from a serial reader at the exit', async ({ page }) => {
  const rig: PcscRig = await startPcscRig({ lockTimeoutMs: 600_000 });
  const exitPair = await startPtyPair();
  try {
    await openGuard(page, {
      env: rig.env,
      readers: () => [
        { id: 'entry', kind: 'pcsc', role: 'entry', label: '', readerName: VIRTUAL_READERS[0] },
        { id: 'exit', kind: 'serial', role: 'exit', label: '', path: exitPair.stationPath, frame: 'binary', technology: 'em4100' },
      ],
    });
    await expect(page.locator('[data-testid="reader-entry"].reader-ready')).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('[data-testid="reader-exit"].reader-ready')).toBeVisible({ timeout: 30_000 });
    const iso = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student' && c.technology === 'iso14443')!;
    const em = station.cards.find((c) => c.status === 'active' && c.holderKind === 'student' && c.technology === 'em4100')!;

    const card = await rig.tap(iso.uid);
    await expect(lastTap(page).getByTestId('holder-name')).toHaveText(iso.fullName);
    await expect(lastTap(page)).toHaveAttribute('data-verdict', 'allow');
    await expect.poll(() => commandsAfter(station.board)).toContainEqual(lcusCommand(1, true));
    await card.remove();

    const far = await exitPair.openFar();
    const bytes = em.uid.match(/../g)!.map((h) => Number.parseInt(h, 16));
    await far.write(encodeBinaryFrame(0x02, bytes));
    await expect(lastTap(page).getByTestId('holder-name')).toHaveText(em.fullName);
    await expect(lastTap(page)).toContainText('Выход');
    await expect.poll(() => commandsAfter(station.board)).toContainEqual(lcusCommand(2, true));
  } finally {
    await exitPair.stop();
    await rig.stop();
  }
});

test('with the reference server: every pass reaches it exactly once with a notification row each, also across an offline spell', async ({ page }, testInfo) => {
  const serverDir = mkdtempSync(join(tmpdir(), 'guard-e2e-server-'));
  let server: RunningServer | null = await startServer({ dataDir: serverDir, logger: false });
  const port = server.port;
  const repo = new Repo(await openServerDatabase({ dataDir: serverDir }));
  try {
    await seedServerSchool(repo, { students: 30 });
    const { code } = await repo.createEnrollmentCode('guard');
    // The station starts with the backend and an enrollment code (as `npm start` or IT's installer does).
    await openGuard(page, { seedDemo: false, env: { STATION_BACKEND_URL: server.url, STATION_ENROLLMENT_CODE: code } });
    const synced = async () => await bridge<{ state: string; lastSyncAt: string | null; eventsWaiting: number }>(page, 'sync.status', {});
    await expect.poll(async () => (await synced()).lastSyncAt !== null, { timeout: 30_000 }).toBe(true);

    // The spare-card stock comes from the server (the demo school's four); once IT empties it, the dialog says so.
    await page.getByTestId('guard-spare-open').click();
    await expect(page.getByTestId('spare-card')).toHaveCount(DEMO_SPARE_CARDS.length);
    await expect(page.getByTestId('spare-stock-empty')).toHaveCount(0);
    await page.keyboard.press('Escape');
    for (const c of DEMO_SPARE_CARDS) await repo.removeSpareCard(c);
    await bridge(page, 'sync.now', {});
    await expect.poll(async () => (await bridge<{ cards: unknown[] }>(page, 'guard.spareCards', {})).cards.length, { timeout: 30_000 }).toBe(0);
    await page.getByTestId('guard-spare-open').click();
    await expect(page.getByTestId('spare-stock-empty')).toContainText('В запасе школы нет ни одной запасной карты');
    await expect(page.getByTestId('spare-stock-empty')).toContainText('добавляет ИТ-специалист на сервере школы');
    await expect(page.getByTestId('spare-card')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('guard-spare-empty.png') });
    await page.keyboard.press('Escape');

    const cards = await repo.db.all<{ technology: string; uid: string; holder_id: string }>(
      "SELECT c.technology, c.uid, c.holder_id FROM cards c JOIN students s ON s.id = c.holder_id WHERE c.status = 'active' AND c.technology = 'iso14443' ORDER BY c.holder_id",
    );
    const before = await repo.counts();

    for (const c of cards.slice(0, 3)) await tap(page, 'entry', c);
    await tap(page, 'exit', cards[0]!);
    await expect(lastTap(page)).toHaveAttribute('data-verdict', 'allow');
    await bridge(page, 'sync.now', {});
    await expect.poll(async () => (await synced()).eventsWaiting, { timeout: 30_000 }).toBe(0);

    // The server goes away: the guard post carries on from its store and says how old its roster is.
    await server.close();
    server = null;
    for (const c of cards.slice(3, 6)) await tap(page, 'entry', c);
    await expect(lastTap(page)).toHaveAttribute('data-verdict', 'allow');
    await bridge(page, 'sync.now', {}).catch(() => undefined);
    await expect(page.getByTestId('guard-offline')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('guard-offline')).toContainText('Список учеников от');
    expect((await synced()).eventsWaiting).toBe(3);

    // Back online on the same address: the waiting passes go, once.
    server = await startServer({ dataDir: serverDir, port, logger: false });
    await bridge(page, 'sync.now', {}).catch(() => undefined);
    await expect.poll(async () => (await synced()).eventsWaiting, { timeout: 60_000 }).toBe(0);
    await expect(page.getByTestId('guard-offline')).toHaveCount(0);

    const after = await repo.counts();
    expect(after.events - before.events).toBe(7);
    expect(after.notifications - before.notifications).toBe(7);
    const passes = await repo.db.all<{ id: string; n: number }>("SELECT id, count(*) AS n FROM events WHERE type = 'pass' GROUP BY id");
    expect(passes).toHaveLength(7);
    expect(passes.every((p) => Number(p.n) === 1)).toBe(true);
    const notes = await repo.db.all<{ event_id: string }>("SELECT event_id FROM notifications WHERE kind = 'pass'");
    expect(new Set(notes.map((n) => n.event_id))).toEqual(new Set(passes.map((p) => p.id)));
  } finally {
    await repo.db.close();
    await server?.close();
    rmSync(serverDir, { recursive: true, force: true });
  }
});

test('a pupil who leaves the school: at the next sync the guard’s screen names them nowhere, without a restart', async ({ page }) => {
  const serverDir = mkdtempSync(join(tmpdir(), 'guard-e2e-leaver-'));
  const server = await startServer({ dataDir: serverDir, logger: false });
  const repo = new Repo(await openServerDatabase({ dataDir: serverDir }));
  try {
    await seedServerSchool(repo, { students: 30 });
    const { code } = await repo.createEnrollmentCode('guard');
    await openGuard(page, { seedDemo: false, env: { STATION_BACKEND_URL: server.url, STATION_ENROLLMENT_CODE: code } });
    await expect.poll(async () => (await bridge<{ lastSyncAt: string | null }>(page, 'sync.status', {})).lastSyncAt !== null, { timeout: 30_000 }).toBe(true);
    const pupils = await repo.db.all<{ technology: string; uid: string; id: string; full_name: string }>(
      `SELECT c.technology, c.uid, s.id, s.full_name FROM cards c JOIN students s ON s.id = c.holder_id
        WHERE c.status = 'active' AND c.technology = 'iso14443' ORDER BY s.id LIMIT 3`,
    );
    const [stays, leaver, other] = pupils as [(typeof pupils)[0], (typeof pupils)[0], (typeof pupils)[0]];
    // The leaver comes in, then another pupil: the leaver is on the strip and in the feed; then the
    // leaver goes out and is on the big card too.
    for (const p of [stays, leaver, other, leaver]) await tap(page, 'entry', p);
    await expect(page.getByTestId('holder-name')).toHaveText(leaver.full_name);
    await expect(page.getByTestId('guard-strip')).toContainText(leaver.full_name);
    await expect(page.getByTestId('guard-feed')).toContainText(leaver.full_name);
    await expect(page.getByTestId('counter-inside')).toHaveText('3');

    await repo.forgetPerson('student', leaver.id);
    await bridge(page, 'sync.now', {});
    // Without a reload: the big card, the strip and the feed no longer name them; the counter drops.
    await expect(page.getByTestId('guard-view')).not.toContainText(leaver.full_name, { timeout: 30_000 });
    await expect(page.getByTestId('holder-name')).toHaveCount(0);
    await expect(page.getByTestId('guard-strip')).toContainText(stays.full_name);
    await expect(page.getByTestId('guard-feed')).toContainText(other.full_name);
    await expect(page.getByTestId('guard-feed').getByTestId('guard-feed-item')).toHaveCount(2);
    await expect(page.getByTestId('counter-inside')).toHaveText('2');
    // The station's own store agrees: a reload shows the same.
    await page.reload();
    await expect(page.getByTestId('guard-feed').getByTestId('guard-feed-item')).toHaveCount(2);
    await expect(page.getByTestId('guard-view')).not.toContainText(leaver.full_name);
  } finally {
    await repo.db.close();
    await server.close();
    rmSync(serverDir, { recursive: true, force: true });
  }
});

test('a visitor let in at another post of the school is on this post’s counter and roll call, named with that post', async ({ page }, testInfo) => {
  const serverDir = mkdtempSync(join(tmpdir(), 'guard-e2e-visitor-'));
  const server = await startServer({ dataDir: serverDir, logger: false });
  const repo = new Repo(await openServerDatabase({ dataDir: serverDir }));
  const enrolled = async (name: string) => (await repo.enroll((await repo.createEnrollmentCode('guard')).code, name))!;
  try {
    await seedServerSchool(repo, { students: 30 });
    const { code } = await repo.createEnrollmentCode('guard');
    await openGuard(page, { seedDemo: false, env: { STATION_BACKEND_URL: server.url, STATION_ENROLLMENT_CODE: code } });
    await expect.poll(async () => (await bridge<{ lastSyncAt: string | null }>(page, 'sync.status', {})).lastSyncAt !== null, { timeout: 30_000 }).toBe(true);
    await expect(page.getByTestId('counter-inside')).toHaveText('0');

    // The school's main entrance (another guard post, driven here through the backend's API) is heard
    // from, then lets a parent in by hand.
    const main = await enrolled('Главный вход');
    const other = createBackendClient({ baseUrl: server.url, token: main.token });
    try {
      await other.day(null, 0);
      const at = new Date();
      const results = await other.pushEvents([
        {
          id: uuidv7(),
          seq: 1,
          type: 'visitor_pass',
          occurredAt: at.toISOString(),
          clockOffsetMs: 0,
          payload: { visitorName: 'Кузнецов Олег Петрович', reason: 'parent', note: 'к директору', direction: 'in', gate: 'entry', operatorId: null },
        },
      ]);
      expect(results).toEqual([expect.objectContaining({ status: 'accepted' })]);
    } finally {
      await other.close();
    }

    // This post counts them inside without a tap of its own, and its roll call names the post they came in at.
    await expect(page.getByTestId('counter-inside')).toHaveText('1', { timeout: 30_000 });
    await page.getByTestId('guard-emergency-open').click();
    await page.getByTestId('emergency-confirm-yes').click();
    await expect(page.getByTestId('emergency-banner')).toBeVisible();
    await expect(page.getByTestId('emergency-count')).toContainText('1');
    const visitors = page.getByTestId('emergency-visitors');
    await expect(visitors).toContainText('Посетители сегодня (1)');
    await expect(visitors.locator('li')).toHaveCount(1);
    await expect(visitors.locator('li')).toHaveText(/^Кузнецов Олег Петрович Главный вход, \d\d:\d\d$/);
    await expect(page.getByTestId('emergency-posts')).toContainText(/Главный вход: данные на \d\d:\d\d/);
    await page.screenshot({ path: testInfo.outputPath('guard-emergency-other-post-visitor.png'), fullPage: true });
  } finally {
    await repo.db.close();
    await server.close();
    rmSync(serverDir, { recursive: true, force: true });
  }
});
