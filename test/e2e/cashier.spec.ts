/**
 * Cashier mode end to end in Chromium through the browser host: the demo school (no backend), the
 * on-screen demo reader feeding the till, and the customer display as a second page.
 */
import type { Page } from '@playwright/test';
import { generateDemoSchool } from '../../common/demo-school.ts';
import { formatMoney } from '../../common/money.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, schoolDate } from '../../common/school-time.ts';
import { bridge, expect, test } from './fixtures.ts';
import { lastTone } from './tones.ts';
import { TILL_TONES } from '../../renderer/src/cashier/cashier-sound.ts';

// The station seeds the same deterministic demo school: read who is who from the generator.
const now = Date.now();
const school = generateDemoSchool({ students: 30, date: schoolDate(now, DEFAULT_SCHOOL_TIME_ZONE), now: new Date(now).toISOString() });
const activeCard = (id: string) => school.cards.find((c) => c.holderId === id && c.status === 'active' && c.technology === 'iso14443')!;
const student = (pred: (a: (typeof school.accounts)[number]) => boolean) => {
  const a = school.accounts.find((x) => x.holderId.startsWith('S') && pred(x))!;
  return { ...school.students.find((s) => s.id === a.holderId)!, account: a, card: activeCard(a.holderId) };
};
const plain = (a: (typeof school.accounts)[number]) => a.forbiddenCategories.length === 0 && a.allergens.length === 0 && a.dailyLimit === null;
const rich = student((a) => plain(a) && a.subsidy === 'none' && a.balance >= 250_00);
const other = student((a) => plain(a) && a.subsidy === 'none' && a.balance >= 200_00 && a.holderId !== rich.id);
const free = student((a) => plain(a) && a.subsidy === 'free' && a.balance >= 200_00);
const allergic = student((a) => a.allergens.length > 0 && a.parentNote !== null);
const allergicOnly = student((a) => a.allergens.includes('орехи') && a.forbiddenCategories.length === 0);
const noSweets = student((a) => a.forbiddenCategories.includes('Сладкое') && a.allergens.length === 0 && a.dailyLimit === null);
const limited = student(
  (a) => a.dailyLimit === 300_00 && a.subsidy === 'none' && a.forbiddenCategories.length === 0 && a.allergens.length === 0 && a.balance >= 100_00,
);
const poor = student((a) => plain(a) && a.balance < 100_00);
const blocked = school.cards.find((c) => c.status === 'blocked')!;
const lost = school.cards.find((c) => c.status === 'lost')!;
const guardStaff = school.cards.find((c) => c.holderKind === 'staff' && c.holderId === school.staff.find((s) => s.roles.includes('guard'))!.id)!;
const cashier = school.staff.find((s) => s.roles.includes('cashier') && !s.roles.includes('supervisor'))!;
const supervisor = school.staff.find((s) => s.roles.includes('supervisor'))!;

async function openTill(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Касса столовой/ }).click();
  await expect(page.getByTestId('cashier-open-shift')).toBeVisible();
  await page.getByRole('radio', { name: new RegExp(cashier.fullName) }).click();
  for (const d of cashier.pin) await page.getByTestId('shift-pin').getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Открыть смену' }).click();
  await expect(page.getByTestId('till')).toBeVisible();
  await expect(page.getByTestId('shift-operator')).toContainText(cashier.fullName);
  await expect(page.getByTestId('status-operator')).toHaveText(`Смена: ${cashier.fullName}`);
}
const tap = (page: Page, uid: string) => page.getByTestId('demo-reader').locator(`[data-uid="${uid}"]`).click();
const add = (page: Page, itemId: string) => page.getByTestId('menu').locator(`[data-item="${itemId}"]`).click();
const dismiss = (page: Page) => page.getByTestId('notice-ok').click();

/** Whatever the customer display shows, it must never contain a balance, a limit or a refusal reason. */
async function expectNothingPrivate(customer: Page, balances: number[]): Promise<void> {
  const text = await customer.locator('body').innerText();
  for (const b of balances) expect(text).not.toContain(formatMoney(b));
  for (const word of ['Баланс', 'баланс', 'лимит', 'Лимит', 'средств', 'запрет', 'заблок', 'утерян', 'аллерг']) expect(text).not.toContain(word);
}

test('a sale: shift by PIN, cart, photo check, paid, customer display; each refusal with its reason', async ({
  stationPage: page,
  host,
  context,
}, testInfo) => {
  await openTill(page);
  const customer = await context.newPage();
  await customer.goto(host.customerUrl);
  await expect(customer.getByTestId('customer-display')).toHaveAttribute('data-state', 'idle');
  const balances = school.accounts.map((a) => a.balance);

  // A tap with an empty cart is ignored with a hint.
  await tap(page, rich.card.uid);
  await expect(page.getByTestId('tap-hint')).toContainText('Сначала выберите блюда');

  // Cart: lunch + 2 juices, one removed again, quantities with + and −.
  await add(page, 'M02');
  await add(page, 'M05');
  await add(page, 'M05');
  await add(page, 'M08');
  await page.getByRole('button', { name: 'Убрать «Яблоко»' }).click();
  await expect(page.getByTestId('cart').locator('.cart-line')).toHaveCount(2);
  await expect(page.getByTestId('cart-total')).toHaveText(formatMoney(145_00 + 2 * 40_00));
  await expect(customer.getByTestId('customer-total')).toHaveText('225,00\u00a0₽');
  await page.screenshot({ path: testInfo.outputPath('cashier-cart.png') });

  // Tap → photo check with the large photo, name and class.
  await tap(page, rich.card.uid);
  const check = page.getByTestId('photo-check');
  await expect(check.getByTestId('check-name')).toHaveText(rich.fullName);
  await expect(check).toContainText(rich.className);
  await expect.poll(() => check.locator('img.photo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  // The portrait came with the check's event, not by a second request to the station.
  expect(await check.locator('img.photo').getAttribute('src')).toMatch(/^data:image\//);
  await expect(customer.getByTestId('customer-display')).toHaveAttribute('data-state', 'checking');
  // A double click on "pay" is one sale.
  await check.getByTestId('confirm').dblclick();
  await expect(page.getByTestId('receipt')).toContainText('Оплачено');
  await expect(page.getByTestId('receipt-total')).toHaveText(formatMoney(225_00));
  await expect(page.getByTestId('cart-total')).toHaveText(formatMoney(0));
  await expect(customer.getByTestId('customer-banner')).toContainText('Оплачено');
  await expectNothingPrivate(customer, balances);
  await page.getByTestId('next-customer').click();

  // The allergy flag, the parent's note and a distinct sound; then "not this child".
  await add(page, 'M05');
  await tap(page, allergic.card.uid);
  await expect(check.getByTestId('allergy-flag')).toContainText(allergic.account.allergens.join(', '));
  await expect(check).toContainText(allergic.account.parentNote!);
  await expect.poll(() => lastTone(page, TILL_TONES)).toBe('allergy');
  await page.screenshot({ path: testInfo.outputPath('cashier-photo-check.png') });
  await check.getByTestId('reject').click();
  await expect(page.getByTestId('refusal')).toContainText('не тот ребёнок');
  await expect(customer.getByTestId('customer-banner')).toContainText('Подойдите к кассиру');
  await dismiss(page);
  await expect(page.getByTestId('cart-total')).toHaveText(formatMoney(40_00)); // the cart waits for the right child

  // Cards refused at the tap, each with its reason.
  for (const [uid, text] of [
    [blocked.uid, 'Карта заблокирована'],
    [lost.uid, 'утерянной'],
    ['04DEADBEEF0001', 'не найдена'],
    [guardStaff.uid, 'нет счёта питания'],
  ] as const) {
    await tap(page, uid);
    await expect(page.getByTestId('refusal')).toContainText(text);
    await expectNothingPrivate(customer, balances);
    await dismiss(page);
  }

  // Forbidden by the parents: the line is named.
  await page.getByTestId('cart').getByRole('button', { name: 'Очистить' }).click();
  await add(page, 'M07');
  await add(page, 'M06');
  await tap(page, noSweets.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('refusal')).toContainText('Родители запретили');
  await expect(page.getByTestId('offending-lines')).toContainText('Шоколадный батончик');
  await expect(page.getByTestId('offending-lines')).not.toContainText('Чай');
  await page.screenshot({ path: testInfo.outputPath('cashier-refusal.png') });
  await expectNothingPrivate(customer, balances);
  await dismiss(page);

  // An allergy says it is one, and names the allergen.
  await tap(page, allergicOnly.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('refusal')).toContainText('Аллергия по заявлению родителей');
  await expect(page.getByTestId('refusal')).not.toContainText('Родители запретили');
  await expect(page.getByTestId('offending-lines')).toContainText('Шоколадный батончик — в составе: орехи — аллергия по заявлению родителей');
  await page.screenshot({ path: testInfo.outputPath('cashier-refusal-allergy.png') });
  await dismiss(page);

  // Parents' daily limit (300,00): three lunches.
  await page.getByTestId('cart').getByRole('button', { name: 'Очистить' }).click();
  await add(page, 'M02');
  // Each "+" sends the quantity the cart shows: wait for it, or a quick second press repeats the first.
  await page.getByRole('button', { name: 'Ещё одну «Комплексный обед»' }).click();
  await expect(page.getByTestId('cart').getByTestId('qty')).toHaveText('2');
  await page.getByRole('button', { name: 'Ещё одну «Комплексный обед»' }).click();
  await expect(page.getByTestId('cart').getByTestId('qty')).toHaveText('3');
  await tap(page, limited.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('refusal')).toContainText('Дневной лимит родителей исчерпан');
  await expect(page.getByTestId('refusal-todo')).toContainText('Уберите часть заказа');
  await expect(page.getByTestId('refusal')).not.toContainText(formatMoney(300_00));
  await dismiss(page);

  // Not enough money: said in words, no balance for the queue to read, and no way to show one (the default).
  await tap(page, poor.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('refusal')).toContainText('Недостаточно средств');
  await expect(page.getByTestId('refusal')).not.toContainText(formatMoney(poor.account.balance));
  await expect(page.getByTestId('refusal')).not.toContainText('Доступно');
  await expect(page.getByTestId('show-figures')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('cashier-refusal-no-balance.png') });
  await expectNothingPrivate(customer, balances);
  await dismiss(page);

  // "По запросу": the cashier shows the figures when the child asks, and they go away by themselves.
  await bridge(page, 'settings.update', { showBalance: 'on_request' });
  await tap(page, poor.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('refusal')).toContainText('Недостаточно средств');
  await expect(page.getByTestId('refusal')).not.toContainText(formatMoney(poor.account.balance));
  await page.getByTestId('show-figures').click();
  await expect(page.getByTestId('refusal-figures')).toContainText(`Доступно ${formatMoney(poor.account.balance)}`);
  await expect(page.getByTestId('show-figures')).toHaveCount(0);
  await expectNothingPrivate(customer, balances);
  await expect(page.getByTestId('refusal-figures')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('show-figures')).toBeVisible();
  await dismiss(page);
  await customer.close();
});

test('subsidy once a day, void with a supervisor PIN, group meal, shift close with override and report', async ({ stationPage: page }, testInfo) => {
  await openTill(page);

  // The free subsidy pays the first complex meal of the day, not the second.
  await add(page, 'M02');
  await tap(page, free.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('receipt-subsidy')).toContainText(formatMoney(145_00));
  await expect(page.getByTestId('receipt-account')).toContainText(formatMoney(0));
  await page.getByTestId('next-customer').click();
  await add(page, 'M02');
  await tap(page, free.card.uid);
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('receipt-subsidy')).toHaveCount(0);
  await expect(page.getByTestId('receipt-account')).toContainText(formatMoney(145_00));
  await page.getByTestId('next-customer').click();

  // One more sale, then void it with the supervisor's PIN.
  await add(page, 'M05');
  await tap(page, other.card.uid);
  await page.getByTestId('confirm').click();
  await page.getByTestId('next-customer').click();
  await page.getByRole('tab', { name: 'Продажи смены' }).click();
  const row = page.getByTestId('shift-sales').locator('tr', { hasText: other.fullName });
  await row.getByRole('button', { name: 'Аннулировать' }).click();
  await page.getByTestId('void-reason').fill('пролил сок');
  for (const d of cashier.pin) await page.getByTestId('void-pin').getByRole('button', { name: d, exact: true }).click();
  await page.getByTestId('confirm-void').click();
  await expect(page.getByTestId('void-dialog')).toContainText('Неверный ПИН-код'); // a cashier is not a supervisor
  for (const d of supervisor.pin) await page.getByTestId('void-pin').getByRole('button', { name: d, exact: true }).click();
  await page.getByTestId('confirm-void').click();
  await expect(page.getByTestId('void-message')).toContainText('Продажа аннулирована');
  await expect(row).toContainText('Аннулирована');

  // Group meal: a class, everyone marked but one, charged to the accounts.
  await page.getByRole('tab', { name: 'Групповое питание' }).click();
  const group = page.getByTestId('group-meal');
  const className = school.students[0]!.className;
  const classSize = school.students.filter((s) => s.className === className).length;
  await group.locator(`[data-class="${className}"]`).click();
  await expect(group.locator('.group-student')).toHaveCount(classSize);
  await group.getByRole('radio', { name: 'Счета учеников' }).click();
  // (A 30-student demo school has about one student per class.) Unmark one, then mark all again.
  await group.locator(`[data-student="${school.students[0]!.id}"]`).click();
  await expect(group.getByTestId('record-group-meal')).toContainText(`${classSize - 1} уч.`);
  await group.getByRole('button', { name: 'Отметить всех' }).click();
  await group.getByTestId('record-group-meal').click();
  await expect(group.getByTestId('group-message')).toContainText(new RegExp(`Записано? ${classSize} ученик`));

  // Shift close: the demo station has no server, so its sales wait: refused, then a supervisor overrides.
  await page.getByRole('tab', { name: 'Закрыть смену' }).click();
  await page.getByRole('button', { name: 'Закрыть смену', exact: true }).last().click();
  await expect(page.getByTestId('close-blocked')).toContainText('ждут отправки');
  await page.getByTestId('override-reason').fill('конец дня, сервер недоступен');
  for (const d of supervisor.pin) await page.getByTestId('override-pin').getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'Закрыть под ответственность заведующей' }).click();
  const report = page.getByTestId('shift-report');
  await expect(report).toBeVisible();
  // The figures add up: gross − voids = net = Σ by payment = Σ by category, in rubles.
  const breakfast = school.menu.find((i) => i.id === 'M01')!.price; // the group meal's item: the first complex meal
  const net = 145_00 + 145_00 + classSize * breakfast;
  await expect(report.getByTestId('report-gross')).toContainText(formatMoney(net + 40_00));
  await expect(report.getByTestId('report-voids')).toContainText(formatMoney(-40_00));
  await expect(report.getByTestId('report-voids-count')).toHaveText('1');
  await expect(report.getByTestId('report-net')).toContainText(formatMoney(net));
  await expect(report.getByTestId('report-by-payment').locator('[data-kind="sale_subsidy"]')).toContainText(formatMoney(145_00));
  await expect(report.getByTestId('report-by-payment').locator('[data-kind="sale_account"]')).toContainText(formatMoney(145_00));
  await expect(report.getByTestId('report-by-payment').locator('[data-kind="group_accounts"]')).toContainText(formatMoney(classSize * breakfast));
  await expect(report.getByTestId('report-payment-sum')).toContainText(formatMoney(net));
  await expect(report.getByTestId('report-category-sum')).toContainText(formatMoney(net));
  await expect(report.getByTestId('report-not-reconciled')).toHaveCount(0);
  await expect(report.getByTestId('report-files')).toContainText('.csv');
  await page.screenshot({ path: testInfo.outputPath('cashier-shift-report.png'), fullPage: true });
  // Printed: the print button asks the browser to print, and the print view is the report alone.
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => void (window as unknown as { printed: number }).printed++;
  });
  await report.getByTestId('report-print').click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.status-bar')).toBeHidden();
  await expect(report.getByTestId('report-print')).toBeHidden();
  await expect(report.getByTestId('report-net')).toBeVisible();
  await expect(report.getByTestId('report-category-sum')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('cashier-shift-report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await report.getByRole('button', { name: 'Готово' }).click();
  await expect(page.getByTestId('cashier-open-shift')).toBeVisible();
});

test('a second group meal for the same class and meal today asks for a supervisor and names the first one', async ({ stationPage: page }, testInfo) => {
  await openTill(page);
  await page.getByRole('tab', { name: 'Групповое питание' }).click();
  const group = page.getByTestId('group-meal');
  const className = school.students[0]!.className;
  await group.locator(`[data-class="${className}"]`).click();
  await expect(group.getByTestId('group-repeat')).toHaveCount(0);
  await group.getByTestId('record-group-meal').click();
  await expect(group.getByTestId('group-message')).toContainText('Записан');

  // The button does not stay armed: the first meal is named, and a second one waits for a supervisor.
  const [family, ...given] = cashier.fullName.split(' ');
  const who = [family, ...given.map((g) => `${g[0]}.`)].join(' ');
  const warning = group.getByTestId('group-repeat');
  await expect(warning).toContainText(`Групповое питание ${className} (Комплексный завтрак) уже проведено сегодня в`);
  await expect(warning).toContainText(`(${who})`);
  await expect(warning).toContainText(/в \d\d:\d\d/);
  await expect(group.getByTestId('record-group-meal')).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('cashier-group-meal-repeat.png') });
  for (const d of cashier.pin) await group.getByTestId('group-supervisor-pin').getByRole('button', { name: d, exact: true }).click();
  await group.getByTestId('record-group-meal').click();
  await expect(group.getByTestId('group-message')).toContainText('Неверный ПИН-код'); // a cashier is not a supervisor
  // Another meal for the class is not a repeat.
  await group.getByRole('button', { name: /Комплексный обед/ }).click();
  await expect(group.getByTestId('group-repeat')).toHaveCount(0);
  await group.getByRole('button', { name: /Комплексный завтрак/ }).click();
  for (const d of supervisor.pin) await group.getByTestId('group-supervisor-pin').getByRole('button', { name: d, exact: true }).click();
  await group.getByTestId('record-group-meal').click();
  await expect(group.getByTestId('group-message')).toContainText('Записан');
  expect((await bridge<unknown[]>(page, 'cashier.groupMealsToday', { className })).length).toBe(2);
});
