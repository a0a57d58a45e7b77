/**
 * Setup for IT, end to end in Chromium through the browser host: the inputs are wide enough to read what
 * they hold, and every station parameter the README lists is edited here, refused in words when wrong,
 * stored when right, and used (anti-passback's window at the guard post).
 */
import type { Page } from '@playwright/test';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import type { Settings } from '../../common/settings.ts';
import { bridge, expect, test, unlockSetup } from './fixtures.ts';

const now = Date.now();
const school = generateDemoSchool({ students: 30, date: schoolDate(now, DEFAULT_SCHOOL_TIME_ZONE), now: new Date(now).toISOString() });
const pupilCard = school.cards.find((c) => c.holderKind === 'student' && c.status === 'active' && c.technology === 'iso14443')!;

/** Every text or number input in setup shows its whole value: none narrower than what it holds. */
async function expectInputsReadable(page: Page): Promise<void> {
  const cut = await page.getByTestId('setup-screen').evaluate((root) =>
    [...root.querySelectorAll('input')]
      .filter((i) => i.type !== 'checkbox' && i.type !== 'radio' && i.offsetParent !== null)
      .filter((i) => i.clientWidth < 64 || i.scrollWidth > i.clientWidth)
      .map((i) => `${i.name || i.dataset.testid || i.getAttribute('list') || i.type}: ${i.clientWidth}px for "${i.value || i.placeholder}"`),
  );
  expect(cut).toEqual([]);
}

test('setup: inputs sized for their content; every station parameter edited, checked in words and stored', async ({ stationPage: page }, testInfo) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const setup = page.getByTestId('setup-screen');
  await expect(setup).toBeVisible();

  // The relay's port, channels and pulse hold values a person can read.
  const relay = page.getByTestId('relay-setup');
  await relay.getByLabel('Порт реле').fill('/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0');
  await relay.getByLabel('Время открытия, мс').fill('30000');
  for (const label of ['Порт реле', 'Время открытия, мс']) {
    expect(await relay.getByLabel(label).evaluate((i: HTMLInputElement) => i.scrollWidth <= i.clientWidth && i.clientWidth >= 80)).toBe(true);
  }
  await expectInputsReadable(page);
  await relay.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('setup-relay-1024.png') });

  const form = page.getByTestId('station-settings');
  await form.scrollIntoViewIfNeeded();
  await form.getByTestId('setting-antiPassback').getByRole('radio', { name: 'Не пускать' }).click();
  await form.getByTestId('setting-antiPassbackMinutes').fill('2000');
  await form.getByTestId('setting-checkHours').fill('0');
  await form.getByTestId('setting-quietMinutes').fill('61');
  await form.getByTestId('setting-rushHours').fill('07:00–09:30, 25:00–26:00');
  await form.getByTestId('setting-feedUrl').fill('http://updates.school.example');
  await form.getByTestId('station-settings-save').click();

  // Nothing is saved, and each field says what to type instead.
  await expect(form.getByTestId('station-settings-message')).toHaveText('Не сохранено: исправьте отмеченные поля');
  await expect(form.getByTestId('error-antiPassbackMinutes')).toHaveText('Введите целое число от 0 до 1440');
  await expect(form.getByTestId('error-checkHours')).toHaveText('Введите целое число от 1 до 168');
  await expect(form.getByTestId('error-quietMinutes')).toHaveText('Введите целое число от 0 до 60');
  await expect(form.getByTestId('error-rushHours')).toContainText('07:00–09:30');
  await expect(form.getByTestId('error-feedUrl')).toContainText('https://');
  await page.screenshot({ path: testInfo.outputPath('setup-settings-errors-1024.png'), fullPage: true });
  const before = await bridge<Settings>(page, 'settings.get', {});
  expect(before.guard).toMatchObject({ antiPassback: 'off', antiPassbackMinutes: 0 });
  expect(before.showBalance).toBe('never');

  // In English too.
  await page.getByRole('radio', { name: 'English' }).click();
  await expect(form.getByTestId('error-antiPassbackMinutes')).toHaveText('Enter a whole number from 0 to 1440');
  await page.getByRole('radio', { name: 'Русский' }).click();

  await form.getByTestId('setting-antiPassbackMinutes').fill('10');
  await form.getByTestId('setting-showBalance').getByRole('radio', { name: 'По запросу' }).click();
  await form.getByTestId('setting-checkHours').fill('6');
  await form.getByTestId('setting-quietMinutes').fill('3');
  await form.getByTestId('setting-rushHours').fill('7:30-9:00; 12:30 – 14:00');
  await form.getByTestId('setting-feedUrl').fill('https://updates.school.example/releases');
  await form.getByTestId('station-settings-save').click();
  await expect(form.getByTestId('station-settings-message')).toHaveText('Параметры сохранены');
  await expect(form.locator('.field-error')).toHaveCount(0);
  const saved = await bridge<Settings>(page, 'settings.get', {});
  expect(saved.guard).toMatchObject({ antiPassback: 'deny', antiPassbackMinutes: 10, relay: null });
  expect(saved).toMatchObject({ showBalance: 'on_request' });
  expect(saved.update).toMatchObject({
    checkIntervalHours: 6,
    quietAfterTapMinutes: 3,
    rushHours: [
      { from: '07:30', to: '09:00' },
      { from: '12:30', to: '14:00' },
    ],
    feedUrl: 'https://updates.school.example/releases',
  });
  await expectInputsReadable(page);

  // After a restart of the page, setup asks for IT's PIN again (the session was that page's), then shows what is stored.
  await page.reload();
  await expect(page.locator('.app[data-ready="true"]')).toBeVisible();
  await unlockSetup(page);
  await expect(form.getByTestId('setting-quietMinutes')).toHaveValue('3');
  await expect(form.getByTestId('setting-rushHours')).toHaveValue('07:30–09:00, 12:30–14:00');
  await expect(form.getByTestId('setting-antiPassback').getByRole('radio', { name: 'Не пускать' })).toHaveAttribute('aria-checked', 'true');
  await page.screenshot({ path: testInfo.outputPath('setup-settings-saved-1024.png'), fullPage: true });

  // Anti-passback from setup works at the post: a second entry within the window is refused.
  await page.getByRole('button', { name: /Пост охраны/ }).click();
  const tap = () => page.getByTestId('demo-reader').locator(`[data-uid="${pupilCard.uid}"]`).click();
  await tap();
  await expect(page.getByTestId('last-tap')).toHaveAttribute('data-verdict', 'allow');
  await page.waitForTimeout(600);
  await tap();
  await expect(page.getByTestId('last-tap')).toHaveAttribute('data-reason', 'passback');
  await expect(page.getByTestId('last-tap')).toHaveAttribute('data-verdict', 'deny');
});
