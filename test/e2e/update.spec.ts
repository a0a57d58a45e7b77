import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, itSignIn, unlockSetup } from './fixtures.ts';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

test('setup → About shows the version and build, and the browser host reports updates as not available here', async ({ stationPage: page }, testInfo) => {
  const about = page.getByTestId('about-section');
  await expect(about.getByRole('heading', { name: 'О программе' })).toBeVisible();
  await expect(about.getByTestId('about-version')).toHaveText(version);
  // The browser host is not a signed build, and says so.
  await expect(about.getByTestId('about-build')).toContainText('НЕПОДПИСАННАЯ сборка');
  const state = about.getByTestId('about-update-state');
  await expect(state).toHaveAttribute('data-phase', 'disabled');
  await expect(state).toHaveText('Здесь обновления недоступны: станция открыта в браузере');

  // "Check now" answers with the same state: no crash, no error, nothing to install.
  await about.getByTestId('update-check-now').click();
  await expect(about.getByTestId('update-check-now')).toBeEnabled();
  await expect(state).toHaveAttribute('data-phase', 'disabled');
  await expect(about.getByTestId('update-message')).toHaveCount(0);
  await expect(about.getByTestId('update-install-now')).toBeDisabled();
  // Nothing about updates in the status bar: there is nothing the person at the station must know.
  await expect(page.getByTestId('update-status')).toHaveCount(0);

  // Every control IT touches here is a real touch target.
  for (const control of [about.getByTestId('update-check-now'), about.getByTestId('update-install-now'), about.getByRole('radio', { name: 'бета' })]) {
    const box = (await control.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
  }

  // The channel is a setting kept by the station: it survives a reload and the state follows it.
  await about.getByRole('radio', { name: 'бета' }).click();
  await expect(about.getByRole('radio', { name: 'бета' })).toHaveAttribute('aria-checked', 'true');
  await about.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('about-browser-host.png'), fullPage: true });

  await page.reload();
  // A reload is a new connection: setup asks for the PIN again.
  await unlockSetup(page);
  await expect(page.getByTestId('about-section').getByRole('radio', { name: 'бета' })).toHaveAttribute('aria-checked', 'true');
  const [refused, beta] = await page.evaluate(async (signIn) => {
    const ws = new WebSocket(`ws://${location.host}/bridge`);
    await new Promise((r) => (ws.onopen = r));
    const ask = (msg: unknown) => {
      const reply = new Promise<string>((r) => (ws.onmessage = (e) => r(String(e.data))));
      ws.send(JSON.stringify(msg));
      return reply.then((t) => JSON.parse(t) as unknown);
    };
    const force = { t: 'req', id: 1, name: 'update.forceInstall', input: { confirm: true } };
    const withoutIt = await ask(force);
    await ask(signIn);
    return [withoutIt, await ask({ ...force, id: 3 })];
  }, itSignIn(2));
  // Nobody forces an install without IT's PIN.
  expect(refused).toMatchObject({ ok: false, error: { code: 'refused', reason: 'it_session_required' } });
  // Even a forced install is refused here, in words the renderer can show, not by crashing.
  expect(beta).toMatchObject({ ok: true, output: { accepted: false, reason: 'disabled' } });

  await page.getByRole('radio', { name: 'English' }).click();
  await expect(page.getByTestId('about-update-state')).toHaveText('Updates are not available here: the station runs in a browser');
});
