/**
 * Setup behind IT's PIN, end to end in Chromium through the browser host: a fresh station asks for its
 * setup PIN before anything else; once set, the setup screen opens only with it (or an IT/supervisor
 * PIN, the person named on the pad), and a request sent around the page without it changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_SETUP_PIN, expect, test, unlockSetup } from './fixtures.ts';

test.use({ unlockFirstStart: false });

test('first start sets the setup PIN; later setup asks for a PIN naming the person; the page cannot be bypassed', async ({ stationPage: page }, testInfo) => {
  // A fresh station: nothing of setup shows before the setup PIN is set.
  const lock = page.getByTestId('setup-lock');
  await expect(lock.getByTestId('setup-pin-form')).toBeVisible();
  await expect(page.getByTestId('setup-screen')).toHaveCount(0);
  await expect(page.getByTestId('readers-setup')).toHaveCount(0);

  // Too short, then two PINs that differ: refused in words.
  const form = lock.getByTestId('setup-pin-form');
  await form.getByTestId('setup-pin-new').locator('input').fill('1234');
  await form.getByTestId('setup-pin-repeat').locator('input').fill('1234');
  await form.getByRole('button', { name: 'Задать ПИН-код' }).click();
  await expect(lock.getByTestId('it-error')).toHaveText('ПИН-код настройки — не меньше 6 цифр');
  await form.getByTestId('setup-pin-new').locator('input').fill(E2E_SETUP_PIN);
  await form.getByTestId('setup-pin-repeat').locator('input').fill('802418');
  await form.getByRole('button', { name: 'Задать ПИН-код' }).click();
  await expect(lock.getByTestId('it-error')).toHaveText('ПИН-коды не совпадают');
  await page.screenshot({ path: testInfo.outputPath('setup-first-pin.png'), fullPage: true });
  await unlockSetup(page);
  await expect(page.getByTestId('it-session')).toHaveText('Настройка открыта ПИН-кодом станции');

  // A request sent past the page, on a connection with no IT session: refused, nothing changes.
  const bypass = await page.evaluate(async () => {
    const ws = new WebSocket(`ws://${location.host}/bridge`);
    await new Promise((r) => (ws.onopen = r));
    const ask = (msg: unknown) => {
      const reply = new Promise<string>((r) => (ws.onmessage = (e) => r(String(e.data))));
      ws.send(JSON.stringify(msg));
      return reply.then(
        (t) => JSON.parse(t) as { ok: boolean; error?: { reason?: string; message?: string }; output?: { kiosk?: boolean; stationName?: string } },
      );
    };
    const changed = await ask({ t: 'req', id: 1, name: 'settings.update', input: { stationName: 'Взломано', backendUrl: 'https://evil.example' } });
    const setPin = await ask({ t: 'req', id: 2, name: 'it.setSetupPin', input: { pin: '111111' } });
    const after = await ask({ t: 'req', id: 3, name: 'settings.get', input: {} });
    ws.close();
    return { changed, setPin, after };
  });
  expect(bypass.changed).toMatchObject({
    ok: false,
    error: { reason: 'it_session_required', message: expect.stringContaining('ПИН-код ИТ-специалиста или завуча') },
  });
  expect(bypass.setPin).toMatchObject({ ok: false, error: { reason: 'setup_pin_set' } });
  expect(bypass.after.output?.stationName).not.toBe('Взломано');

  // Guard mode; the way back into setup asks again, and the PIN pad names the person chosen.
  await page.getByRole('button', { name: /Пост охраны/ }).click();
  await expect(page.getByTestId('guard-view')).toBeVisible();
  await page.getByRole('button', { name: 'Настройка' }).click();
  await expect(lock).toBeVisible();
  await expect(page.getByTestId('setup-screen')).toHaveCount(0);
  // The demo school's supervisor (PIN 3333 in the demo) can open it too.
  const supervisor = lock.getByRole('radio', { name: /Белова/ });
  await expect(supervisor).toBeVisible();
  const fullName = (await supervisor.locator('strong').textContent())!.trim();
  await supervisor.click();
  const [surname, first, middle] = fullName.split(/\s+/);
  await expect(lock.getByTestId('it-pin-label')).toHaveText(`ПИН-код: ${surname} ${first![0]}. ${middle![0]}.`);
  await lock.getByTestId('it-pin').locator('input').fill('9999');
  await lock.getByRole('button', { name: 'Открыть настройку' }).click();
  await expect(lock.getByTestId('it-error')).toHaveText('Неверный ПИН-код');
  await page.screenshot({ path: testInfo.outputPath('setup-pin-named.png'), fullPage: true });
  await lock.getByTestId('it-pin').locator('input').fill('3333');
  await lock.getByRole('button', { name: 'Открыть настройку' }).click();
  await expect(page.getByTestId('setup-screen')).toBeVisible();
  await expect(page.getByTestId('it-session')).toHaveText(`Настройку открыл(а): ${surname} ${first![0]}. ${middle![0]}.`);
});

test.describe('a damaged database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'setup-pin-fault-'));
  writeFileSync(join(dataDir, 'station.db'), Buffer.from('this is not a database, it is a school timetable '.repeat(200)));
  test.use({ hostOptions: { dataDir } });
  test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('starting over with an empty store is behind the setup PIN, even with the roster unreadable', async ({ stationPage: page }) => {
    const fault = page.getByTestId('fault-screen');
    await expect(fault).toBeVisible();
    await expect(fault.getByTestId('fault-start-empty')).toHaveCount(0);
    // The roster is in the damaged file: the station's own setup PIN is set here, as at a first start.
    const form = fault.getByTestId('setup-pin-form');
    await expect(form).toBeVisible();
    await form.getByTestId('setup-pin-new').locator('input').fill(E2E_SETUP_PIN);
    await form.getByTestId('setup-pin-repeat').locator('input').fill(E2E_SETUP_PIN);
    await form.getByRole('button', { name: 'Задать ПИН-код' }).click();
    page.once('dialog', (d) => void d.accept());
    await fault.getByTestId('fault-start-empty').click();
    await expect(fault).toHaveCount(0);
    await expect(page.getByTestId('setup-lock').or(page.getByTestId('setup-screen'))).toBeVisible();
  });
});
