/**
 * The hardware area of the bridge on a real station (real SQLite in a temp folder): a keyboard-wedge
 * burst sent by the renderer becomes a tap the station resolves, and setup can discover hardware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../common/contract/index.ts';
import { createStation, type Station } from '../../station/station.ts';
import { startLcusBoard } from '../helpers/lcus-board.ts';
import { startPtyPair, type PtyPair } from '../helpers/socat.ts';
import { sleep } from '../helpers/wait.ts';

let station: Station | null = null;
let dir = '';
let pair: PtyPair | null = null;
afterEach(async () => {
  await station?.close();
  station = null;
  await pair?.stop();
  pair = null;
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
    // IT opens setup (a fresh station: its setup PIN is set now).
    expect(await call('it.setSetupPin', { pin: '802417' })).toMatchObject({ ok: true });
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

  it('the relay test button pulses the configured relay and reports its confirmation; without a relay it says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hw-bridge-'));
    station = await createStation({ dataDir: dir, demoStudents: 5 });
    let id = 1;
    const call = (name: string, input: unknown) => station!.router.dispatch({ t: 'req', id: id++, name, input });
    expect(await call('it.setSetupPin', { pin: '802417' })).toMatchObject({ ok: true });
    expect(await call('hardware.testRelay', { direction: 'in' })).toMatchObject({ ok: true, output: { ok: false, reason: 'no_relay' } });
    pair = await startPtyPair();
    const board = await startLcusBoard(pair);
    const current = (await call('settings.get', {})) as { ok: true; output: { guard: Record<string, unknown> } };
    const relay = { kind: 'lcus', path: pair.stationPath, entryChannel: 1, exitChannel: 2, pulseMs: 100 };
    expect(await call('settings.update', { guard: { ...current.output.guard, relay } })).toMatchObject({ ok: true });
    let reply = await call('hardware.testRelay', { direction: 'out' });
    for (let i = 0; i < 20 && JSON.stringify(reply).includes('gate_not_ready'); i++) {
      await sleep(100); // the relay port opens a moment after the setting is saved
      reply = await call('hardware.testRelay', { direction: 'out' });
    }
    expect(reply).toMatchObject({ ok: true, output: { ok: true, confirmed: true } });
    expect(board.received().slice(0, 5)).toEqual([0xa0, 0x02, 0x01, 0xa3, 0xff]);
  });
});
