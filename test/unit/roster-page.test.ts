import { describe, expect, it } from 'vitest';
import { parseRosterPage } from '../../common/sync-api.ts';

const account = (holderId: string, balance: number) => ({
  holderId,
  balance,
  balanceAt: '2026-09-01T07:00:00.000Z',
  dailyLimit: null,
  forbiddenCategories: [],
  allergens: [],
  subsidy: 'none',
  parentNote: null,
});

describe('a roster page from the backend', () => {
  it('skips one bad row and keeps every other row, card block and tombstone of the page', () => {
    const r = parseRosterPage({
      students: [],
      staff: [],
      cards: [{ technology: 'iso14443', uid: '04A1B2C3D4E5F6', holderKind: 'student', holderId: 'S00001', status: 'blocked', validUntil: null }],
      accounts: [account('S00001', 2 ** 53 + 2), account('S00002', 100_00)],
      tombstones: [{ kind: 'card', id: 'iso14443:04FFEEDDCCBBAA' }],
      cursor: '42',
      more: false,
      remaining: 4,
    });
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.page.accounts.map((a) => a.holderId)).toEqual(['S00002']);
    expect(r.page.cards).toHaveLength(1);
    expect(r.page.tombstones).toEqual([{ kind: 'card', id: 'iso14443:04FFEEDDCCBBAA' }]);
    expect(r.skipped).toEqual([{ kind: 'account', id: 'S00001', reason: expect.stringContaining('balance') }]);
    expect(r.page.school).toBeUndefined();
  });

  it('takes the school settings and figures of a newer backend, and a page without them from an older one', () => {
    const base = { students: [], staff: [], cards: [], accounts: [], tombstones: [], cursor: '1', more: false, remaining: 0 };
    const newer = parseRosterPage({
      ...base,
      school: { timeZone: 'Asia/Omsk' },
      today: { date: '2026-09-01', figures: [{ holderId: 'S1', spent: 10, subsidyMeals: 1, offlineSpent: 0 }] },
    });
    expect(newer.success && newer.page.school?.timeZone).toBe('Asia/Omsk');
    expect(newer.success && newer.page.today?.figures).toHaveLength(1);
    const older = parseRosterPage(base);
    expect(older.success && older.skipped).toEqual([]);
    expect(parseRosterPage({ ...base, cursor: undefined }).success).toBe(false);
  });
});
