/**
 * A backend updated before its stations: a roster page that removes something this station does not
 * keep must still be applied (the rest of the page, the cursor), or the station's roster sync would stop
 * until IT updates it. Real SQLite store, the page parsed by the contract the sync client uses.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RosterPage } from '../../common/sync-api.ts';
import { systemClock } from '../../common/clock.ts';
import { PhotoStore } from '../../node/photos.ts';
import { openStore } from '../../core/store/index.ts';
import { createSyncStore } from '../../station/sync-store.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir('roster-compat-');

describe('roster pages from a newer backend', () => {
  it('applies a page whose removals include a kind this station does not know, and says so in the log', () => {
    const dir = tempDir();
    const store = openStore(join(dir, 'station.db'), systemClock());
    const lines: unknown[] = [];
    const sync = createSyncStore(store, new PhotoStore(join(dir, 'photos')), { info: (obj: unknown) => void lines.push(obj) } as never);
    const student = (id: string) => ({ id, fullName: `Ученик ${id}`, className: '5А', photoHash: null, status: 'active' as const });
    sync.applyRosterPage(
      RosterPage.parse({
        students: [student('S1'), student('S2')],
        staff: [],
        cards: [],
        accounts: [],
        tombstones: [],
        cursor: '1',
        more: false,
        remaining: 2,
      }),
    );

    const page = RosterPage.parse({
      students: [student('S3')],
      staff: [],
      cards: [],
      accounts: [],
      tombstones: [
        { kind: 'locker', id: 'L-17' },
        { kind: 'student', id: 'S1' },
      ],
      cursor: '2',
      more: false,
      remaining: 2,
    });
    sync.applyRosterPage(page);

    expect(store.roster.counts().students).toBe(2); // S1 removed, S3 added
    const ids = store.db
      .prepare<[], { id: string }>('SELECT id FROM students ORDER BY id')
      .all()
      .map((r) => r.id);
    expect(ids).toEqual(['S2', 'S3']);
    expect(sync.rosterCursor()).toBe('2');
    expect(lines).toContainEqual({ kind: 'locker', id: 'L-17' });
    store.close();
  });
});
