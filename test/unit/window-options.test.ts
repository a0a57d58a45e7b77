import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, launchOptions, windowOptions } from '../../main/window-options.ts';

describe('window options (the Electron security checklist, checked under Node)', () => {
  it.each(['operator', 'customer'] as const)('%s window: isolated, sandboxed, no Node, web security on', (role) => {
    const o = windowOptions({ role, preloadPath: '/app/preload/index.cjs', kiosk: false });
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('kiosk applies to the operator window; the customer display is always full screen', () => {
    expect(windowOptions({ role: 'operator', preloadPath: 'p', kiosk: true })).toMatchObject({ kiosk: true, fullscreen: true });
    expect(windowOptions({ role: 'operator', preloadPath: 'p', kiosk: false })).toMatchObject({ kiosk: false, fullscreen: false });
    expect(windowOptions({ role: 'customer', preloadPath: 'p', kiosk: false })).toMatchObject({ kiosk: false, fullscreen: true });
  });

  it('allows scripts only from the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it.each([
    ['app://station/', true],
    ['app://station/customer', true],
    ['app://evil/', false],
    ['https://example.org/', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('navigation to %s allowed: %s', (url, ok) => {
    expect(isAppUrl(url)).toBe(ok);
  });
});

describe('what the environment may change about a launch', () => {
  it('a packaged build ignores STATION_DATA_DIR and STATION_DEVTOOLS', () => {
    const env = { STATION_DATA_DIR: '/media/usb/other-school', STATION_DEVTOOLS: '1' };
    expect(launchOptions(true, env, '/data/user')).toEqual({ dataDir: '/data/user', devTools: false });
    expect(windowOptions({ role: 'operator', preloadPath: 'p', kiosk: true, devTools: launchOptions(true, env, 'u').devTools }).webPreferences?.devTools).toBe(
      false,
    );
  });

  it('a development build takes them, and has no dev tools by default', () => {
    expect(launchOptions(false, { STATION_DATA_DIR: '/srv/dev-station', STATION_DEVTOOLS: '1' }, '/data/user')).toEqual({
      dataDir: '/srv/dev-station',
      devTools: true,
    });
    expect(launchOptions(false, {}, '/data/user')).toEqual({ dataDir: '/data/user', devTools: false });
    expect(windowOptions({ role: 'operator', preloadPath: 'p', kiosk: false }).webPreferences?.devTools).toBe(false);
  });
});
