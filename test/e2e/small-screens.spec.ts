/**
 * A post's PC is often an old 1024×768 monitor, a till's a 1366×768 laptop. Everything a guard or a
 * cashier must reach fits without scrolling: the status bar stays on screen, the guard's actions and
 * the emergency button are in view, and every dialog's buttons can be pressed where they are.
 * Screenshots of each case go to test-results/ for a person to look at.
 */
import type { Locator, Page } from '@playwright/test';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { expect, test } from './fixtures.ts';

// The station seeds the same deterministic demo school: who is who comes from the generator.
const school = generateDemoSchool({ students: 30, date: new Date().toISOString().slice(0, 10), now: new Date().toISOString() });
const cashier = school.staff.find((s) => s.roles.includes('cashier') && !s.roles.includes('supervisor'))!;
const payer = school.accounts.find(
  (a) => a.holderId.startsWith('S') && a.forbiddenCategories.length === 0 && a.allergens.length === 0 && a.dailyLimit === null && a.balance >= 250_00,
)!;
const payerCard = school.cards.find((c) => c.holderId === payer.holderId && c.status === 'active' && c.technology === 'iso14443')!;

const SIZES = [
  [1024, 768],
  [1366, 768],
] as const;

/** Fully inside the window, so it can be seen and pressed without scrolling anything. */
async function expectInView(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeVisible();
  const box = await target.boundingBox();
  const view = page.viewportSize();
  expect(box, 'has a box').not.toBeNull();
  if (!box || !view) return;
  expect.soft(box.y, 'top edge on screen').toBeGreaterThanOrEqual(0);
  expect.soft(box.x, 'left edge on screen').toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, 'bottom edge on screen').toBeLessThanOrEqual(view.height + 0.5);
  expect(box.x + box.width, 'right edge on screen').toBeLessThanOrEqual(view.width + 0.5);
  // And nothing else is drawn over it (a dialog behind a banner cannot be pressed).
  const hit = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at !== null && (el === at || el.contains(at));
  });
  expect(hit, 'not covered').toBe(true);
}

async function pageDoesNotScroll(page: Page): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollHeight, inner: window.innerHeight }));
  expect(scroll, 'the page itself does not scroll').toBeLessThanOrEqual(inner);
}

async function chooseMode(page: Page, mode: 'guard' | 'cashier'): Promise<void> {
  await page.getByRole('button', { name: mode === 'guard' ? /Пост охраны/ : /Касса столовой/ }).click();
  await expect(page.getByTestId(mode === 'guard' ? 'guard-view' : 'cashier-open-shift')).toBeVisible();
}

for (const [width, height] of SIZES) {
  test(`guard post at ${width}×${height}: status bar, actions, emergency and every dialog's buttons in view`, async ({ stationPage: page }, testInfo) => {
    await page.setViewportSize({ width, height });
    await chooseMode(page, 'guard');
    await pageDoesNotScroll(page);
    await expectInView(page, page.getByTestId('status-bar'));
    for (const id of ['guard-search-open', 'guard-spare-open', 'guard-visitor-open', 'guard-emergency-open']) {
      await expectInView(page, page.getByTestId(id));
    }
    await page.screenshot({ path: testInfo.outputPath(`guard-${width}x${height}.png`) });

    // Let a child through by hand: the person chosen, the form below, the button still on screen.
    await page.getByTestId('guard-search-open').click();
    await page.getByTestId('guard-dialog-search').locator('input').first().fill('Иван');
    await page.getByTestId('guard-person').first().click();
    await expectInView(page, page.getByTestId('manual-open'));
    await page.screenshot({ path: testInfo.outputPath(`guard-let-through-${width}x${height}.png`) });
    await page.keyboard.press('Escape');

    await page.getByTestId('guard-visitor-open').click();
    await expectInView(page, page.getByTestId('visitor-open'));
    await page.keyboard.press('Escape');

    // After a tap the big card is on screen and the status bar has not scrolled away.
    await page
      .getByRole('button', { name: /Новиков Лев/ })
      .first()
      .click();
    await expect(page.getByTestId('guard-verdict').first()).toContainText('ПРОХОДИТЕ');
    // The demo post has no relay: an allowed pass says nothing about a turnstile (no red on every pass).
    await expect(page.getByText(/Турникет НЕ открылся/)).toHaveCount(0);
    await pageDoesNotScroll(page);
    await expectInView(page, page.getByTestId('status-bar'));
    await expectInView(page, page.getByTestId('guard-emergency-open'));
    await page.screenshot({ path: testInfo.outputPath(`guard-after-tap-${width}x${height}.png`) });
  });

  test(`till at ${width}×${height}: status bar, the shift's PIN pad, the cart's total and the photo check's buttons in view`, async ({
    stationPage: page,
  }, testInfo) => {
    await page.setViewportSize({ width, height });
    await chooseMode(page, 'cashier');
    await expect(page.getByTestId('cashier-open-shift')).toBeVisible();
    await page.getByRole('radio', { name: new RegExp(cashier.fullName) }).click();
    await expectInView(page, page.getByTestId('shift-pin').getByRole('button', { name: '0', exact: true }));
    for (const d of cashier.pin) await page.getByTestId('shift-pin').getByRole('button', { name: d, exact: true }).click();
    await expectInView(page, page.getByRole('button', { name: 'Открыть смену' }));
    await page.screenshot({ path: testInfo.outputPath(`till-shift-${width}x${height}.png`) });
    await page.getByRole('button', { name: 'Открыть смену' }).click();
    await expect(page.getByTestId('till')).toBeVisible();
    await pageDoesNotScroll(page);
    await expectInView(page, page.getByTestId('status-bar'));
    await page.getByTestId('menu').locator('[data-item]').first().click();
    await expectInView(page, page.getByTestId('cart-total'));
    await page.screenshot({ path: testInfo.outputPath(`till-${width}x${height}.png`) });

    await page.getByTestId('demo-reader').locator(`[data-uid="${payerCard.uid}"]`).click();
    await expect(page.getByTestId('photo-check')).toBeVisible();
    await expectInView(page, page.getByTestId('confirm'));
    await expectInView(page, page.getByTestId('reject'));
    await page.screenshot({ path: testInfo.outputPath(`till-check-${width}x${height}.png`) });
  });
}
