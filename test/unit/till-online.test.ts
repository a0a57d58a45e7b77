import { describe, expect, it } from 'vitest';
import { tillOnline } from '../../common/till-online.ts';

const URL = 'http://127.0.0.1:47470';

describe('the till sells online only while the sync engine reaches the backend', () => {
  it('online and syncing: online', () => {
    expect(tillOnline({ state: 'online', backendUrl: URL, needsEnrollment: false })).toBe(true);
    expect(tillOnline({ state: 'syncing', backendUrl: URL, needsEnrollment: false })).toBe(true);
  });

  it('offline (the last exchange failed): offline, so the sale is flagged and capped', () => {
    expect(tillOnline({ state: 'offline', backendUrl: URL, needsEnrollment: false })).toBe(false);
  });

  it('a backend set but no token for it, or the token refused: offline', () => {
    expect(tillOnline({ state: 'not_configured', backendUrl: URL, needsEnrollment: true })).toBe(false);
    expect(tillOnline({ state: 'offline', backendUrl: URL, needsEnrollment: true })).toBe(false);
  });

  it('no backend at all (standalone / demo station): not offline, the store is the only book', () => {
    expect(tillOnline({ state: 'not_configured', backendUrl: null, needsEnrollment: false })).toBe(true);
  });
});
