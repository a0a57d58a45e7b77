import { describe, expect, it } from 'vitest';
import { syncRequests } from '../../common/contract/sync.ts';
import { Settings } from '../../common/settings.ts';
import { transportAllowed } from '../../common/transport.ts';
import { UpdateSettings } from '../../common/update-policy.ts';

describe('the backend and the release feed are HTTPS beyond this computer', () => {
  it.each([
    ['https://school.example/', true],
    ['https://10.0.0.5:8443', true],
    ['http://127.0.0.1:47470', true],
    ['http://127.5.0.1', true],
    ['http://localhost:8787', true],
    ['http://[::1]:8787', true],
    ['http://10.0.0.5:8787', false], // a laptop on the school network
    ['http://school.example', false],
    ['http://127.0.0.1.evil.example', false],
    ['http://localhost.evil.example', false],
    ['ftp://127.0.0.1', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(transportAllowed(url)).toBe(allowed);
  });

  it('settings, the update feed and the enrollment request refuse plain HTTP to another computer', () => {
    expect(Settings.safeParse({ backendUrl: 'http://10.0.0.5:8787' }).success).toBe(false);
    expect(Settings.safeParse({ backendUrl: 'https://10.0.0.5:8787' }).success).toBe(true);
    expect(UpdateSettings.safeParse({ feedUrl: 'http://updates.example/releases' }).success).toBe(false);
    expect(UpdateSettings.safeParse({ feedUrl: 'http://127.0.0.1:8787/releases' }).success).toBe(true);
    const enroll = syncRequests['sync.enroll'].input;
    expect(enroll.safeParse({ backendUrl: 'http://10.0.0.5:8787', code: 'ABCD' }).success).toBe(false);
    expect(enroll.safeParse({ backendUrl: 'https://school.example', code: 'ABCD' }).success).toBe(true);
  });
});
