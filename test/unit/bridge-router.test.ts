import { join } from 'node:path';
import { describe, expect, it, afterEach } from 'vitest';
import { createStation, type Station } from '../../station/station.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let station: Station | null = null;
afterEach(async () => {
  await station?.close();
  station = null;
});

async function newStation(): Promise<Station> {
  station = await createStation({ dataDir: join(tempDir(), 'data') });
  return station;
}

describe('bridge handlers (the station side of the contract)', () => {
  it('answers a valid request with output that matches the contract', async () => {
    const s = await newStation();
    const reply = await s.router.dispatch({ t: 'req', id: 1, name: 'settings.get', input: {} });
    expect(reply).toMatchObject({ t: 'res', id: 1, ok: true, output: { mode: 'unset', locale: 'ru' } });
  });

  it.each([
    [{ t: 'req', id: 2, name: 'settings.update', input: { mode: 'disco' } }, 'invalid_input', 'mode'],
    [{ t: 'req', id: 3, name: 'settings.update', input: { readers: [{ id: 'x', kind: 'laser', role: 'entry' }] } }, 'invalid_input', 'readers.0.kind'],
    [{ t: 'req', id: 4, name: 'demo.tap', input: { readerId: 'demo', technology: 'iso14443', uid: 'not-hex' } }, 'invalid_input', 'uid'],
    [{ t: 'req', id: 5, name: 'settings.update', input: { unexpected: true } }, 'invalid_input', '(input)'],
  ])('rejects a malformed payload naming the field: %j', async (msg, code, field) => {
    const s = await newStation();
    const reply = await s.router.dispatch(msg);
    expect(reply).toMatchObject({ t: 'res', id: msg.id, ok: false, error: { code, field } });
    if (!reply.t || reply.t !== 'res' || reply.ok) throw new Error('expected a refusal');
    expect(reply.error.message).toContain(field === '(input)' ? 'invalid' : field);
    // The station keeps running and keeps its settings.
    expect(await s.router.dispatch({ t: 'req', id: 9, name: 'settings.get', input: {} })).toMatchObject({ ok: true, output: { mode: 'unset' } });
  });

  it('rejects an unknown request and a message that is not an envelope', async () => {
    const s = await newStation();
    expect(await s.router.dispatch({ t: 'req', id: 7, name: 'station.selfDestruct', input: {} })).toMatchObject({
      ok: false,
      error: { code: 'unknown_request' },
    });
    expect(await s.router.dispatch({ hello: 'world' })).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    expect(await s.router.dispatch('garbage')).toMatchObject({ id: -1, ok: false, error: { code: 'invalid_message' } });
  });

  it('pushes a card.presented event with the holder when a demo card is tapped', async () => {
    const s = await newStation();
    const events: unknown[] = [];
    s.router.subscribe((m) => {
      if (m.t === 'evt' && m.name === 'card.presented') events.push(m.payload);
    });
    const cards = await s.router.dispatch({ t: 'req', id: 1, name: 'demo.listCards', input: {} });
    if (cards.t !== 'res' || !cards.ok) throw new Error('no demo cards');
    const card = (cards.output as { technology: string; uid: string; holder: { fullName: string } }[])[0]!;
    await s.router.dispatch({ t: 'req', id: 2, name: 'demo.tap', input: { readerId: 'demo', technology: card.technology, uid: card.uid } });
    expect(events).toEqual([expect.objectContaining({ holder: expect.objectContaining({ fullName: card.holder.fullName }), randomUid: false })]);
  });
});
