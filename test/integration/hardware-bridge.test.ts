/**
 * The hardware area of the bridge on a real station (real SQLite in a temp folder): a keyboard-wedge
 * burst sent by the renderer becomes a tap the station resolves, and setup can discover hardware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../common/contract/index.ts';
import { createStation, type Station } from '../../core/station.ts';

let station: Station | null = null;
let dir = '';
afterEach(async () => {
  await station?.close();
  station = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hardware bridge', () => {
  it('a wedge burst from the renderer becomes a card the station resolves; a bad burst is refused', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-bridge-'));
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    const events: ServerMessage[] = [];
    station.router.subscribe((m) => events.push(m));
    let id = 1;
    const call = (name: string, input: unknown) => station!.router.dispatch({ t: 'req', id: id++, name, input });
    const set = await call('settings.update', {
      readers: [{ id: 'kbd', kind: 'wedge', role: 'entry', format: 'dec10', technology: 'em4100' }],
    });
    expect(set).toMatchObject({ ok: true });
    expect(await call('reader.wedgeCard', { readerId: 'kbd', text: '0009334109' })).toMatchObject({ ok: true, output: { accepted: true } });
    const presented = events.find((e) => e.t === 'evt' && e.name === 'card.presented');
    expect(presented).toMatchObject({ payload: { read: { readerId: 'kbd', technology: 'em4100', uid: '008E6D5D', raw: '0009334109' } } });
    expect(await call('reader.wedgeCard', { readerId: 'kbd', text: 'hello' })).toMatchObject({ ok: true, output: { accepted: false } });
    expect(await call('reader.wedgeCard', { readerId: 'nope', text: '0009334109' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('discovery answers even where pcscd is not reachable', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-bridge-'));
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    const reply = await station.router.dispatch({ t: 'req', id: 1, name: 'hardware.discover', input: {} });
    expect(reply).toMatchObject({ ok: true, output: { pcscReaders: expect.any(Array), serialPorts: expect.any(Array) } });
  });
});
