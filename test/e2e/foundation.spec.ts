import { test, expect, itSignIn } from './fixtures.ts';

test('loads in Russian, switches to English, picks guard mode and shows a tapped demo student', async ({ stationPage: page }, testInfo) => {
  await expect(page.getByTestId('setup-screen')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Настройка станции' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');

  await page.getByRole('radio', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Station setup' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.getByRole('button', { name: /Guard post/ }).click();
  await expect(page.getByTestId('guard-view')).toBeVisible();
  await expect(page.getByText('Tap a card')).toBeVisible();

  // Tap the first active student card on the on-screen demo reader.
  const first = page.getByTestId('demo-reader').locator('.demo-card').filter({ hasText: 'Card valid' }).first();
  const name = (await first.locator('.demo-card-text > span').first().textContent())!.trim();
  await first.click();

  const tap = page.getByTestId('last-tap');
  await expect(tap.getByTestId('holder-name')).toHaveText(name);
  const photo = tap.locator('img.photo');
  await expect(photo).toHaveAttribute('alt', name);
  // The portrait was actually served and decoded, not just referenced.
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await page.screenshot({ path: testInfo.outputPath('guard-demo-tap.png'), fullPage: true });

  // The choice survives a reload: settings live in the station's store.
  await page.reload();
  await expect(page.getByTestId('guard-view')).toBeVisible();
  await expect(page.getByText('Tap a card')).toBeVisible();
});

test('an unknown card is named by its printed number, not shown as a person', async ({ stationPage: page }) => {
  await page.getByRole('button', { name: /Пост охраны/ }).click();
  await page.getByTestId('demo-reader').locator('[data-uid="04DEADBEEF0001"]').click();
  await expect(page.getByTestId('last-tap')).toContainText('Неизвестная карта');
  await expect(page.getByTestId('holder-name')).toHaveCount(0);
});

test('the status bar says why a reader is not working, in words', async ({ stationPage: page, host }) => {
  // IT configured a serial reader on a port that is not there (unplugged USB adapter).
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/bridge`, { headers: { cookie: host.cookie } });
  await new Promise((ok) => ws.once('open', ok));
  // IT's session on this connection first (the station refuses settings without one).
  const signedIn = new Promise((ok) => ws.once('message', (d) => ok(JSON.parse(d.toString()))));
  ws.send(JSON.stringify(itSignIn(9)));
  expect(await signedIn).toMatchObject({ ok: true });
  const reply = new Promise((ok) => ws.once('message', (d) => ok(JSON.parse(d.toString()))));
  ws.send(
    JSON.stringify({
      t: 'req',
      id: 1,
      name: 'settings.update',
      input: { readers: [{ id: 'door', kind: 'serial', role: 'entry', path: '/dev/ttyNOSUCHPORT' }] },
    }),
  );
  expect(await reply).toMatchObject({ ok: true });
  ws.close();
  await expect(page.getByTestId('reader-door')).toContainText('порт не найден');
});
