import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStation } from '../../station/station.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

describe('a corrupt or unreadable database at start', () => {
  it('says so, keeps the file aside, does not start empty, and starts empty only when IT confirms', async () => {
    const dataDir = tempDir();
    const garbage = Buffer.from('this is not a database, it is a school timetable '.repeat(200));
    writeFileSync(join(dataDir, 'station.db'), garbage);

    const station = await createStation({ dataDir });
    const status = station.status();
    expect(status.fault).toMatchObject({ code: 'db_corrupt' });
    expect(station.store()).toBeNull();
    const kept = status.fault!.keptAt!;
    expect(readFileSync(kept)).toEqual(garbage);
    // Nothing works off an empty store behind the person's back.
    expect(await station.router.dispatch({ t: 'req', id: 1, name: 'settings.get', input: {} })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await station.close();

    // A restart does not silently start empty either.
    const again = await createStation({ dataDir });
    expect(again.status().fault).toMatchObject({ code: 'db_corrupt', keptAt: kept });
    // Only IT starts over: without a session it is refused and the fault stays.
    const refused = await again.router.dispatch({ t: 'req', id: 2, name: 'station.startEmptyAfterFault', input: { confirm: true } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused', reason: 'it_session_required' } });
    expect(again.status().fault).toMatchObject({ code: 'db_corrupt' });
    // The roster is in the damaged file: the station's own setup PIN (set now, as at a first start) opens setup.
    expect(await again.router.dispatch({ t: 'req', id: 3, name: 'it.setSetupPin', input: { pin: '802417' } })).toMatchObject({
      ok: true,
      output: { via: 'setup_pin' },
    });
    const reply = await again.router.dispatch({ t: 'req', id: 4, name: 'station.startEmptyAfterFault', input: { confirm: true } });
    expect(reply).toMatchObject({ ok: true, output: { fault: null } });
    expect(again.store()).not.toBeNull();
    // …and the new store's first event says who started over, from what.
    const ev = again
      .store()!
      .db.prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE type = 'it_change'")
      .all()
      .map((r) => JSON.parse(r.payload) as unknown);
    expect(ev).toContainEqual(
      expect.objectContaining({
        action: 'fault_recovery',
        operatorId: null,
        via: 'setup_pin',
        changes: [{ setting: 'database', from: 'db_corrupt', to: 'empty' }],
      }),
    );
    expect(existsSync(kept)).toBe(true);
    await again.close();
    expect(readdirSync(dataDir).filter((f) => f.includes('db_corrupt'))).toHaveLength(1);
  });
});
