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
    const reply = await again.router.dispatch({ t: 'req', id: 2, name: 'station.startEmptyAfterFault', input: { confirm: true } });
    expect(reply).toMatchObject({ ok: true, output: { fault: null } });
    expect(again.store()).not.toBeNull();
    expect(existsSync(kept)).toBe(true);
    await again.close();
    expect(readdirSync(dataDir).filter((f) => f.includes('db_corrupt'))).toHaveLength(1);
  });
});
