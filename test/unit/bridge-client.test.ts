import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeRequestError, createBridgeClient, toBridgeRequestError } from '../../common/contract/client.ts';
import { createStation, type Station } from '../../station/station.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();
let station: Station | null = null;
afterEach(async () => {
  await station?.close();
  station = null;
});

describe('the bridge client shared by the renderer, the preload and main', () => {
  it('talks to the real station router: answers, refusals with the field, pushed events', async () => {
    station = await createStation({ dataDir: join(tempDir(), 'data') });
    const s = station;
    const client = createBridgeClient((msg) => void s.router.dispatch(structuredClone(msg)).then((reply) => client.receive(structuredClone(reply))));
    s.router.subscribe((m) => client.receive(structuredClone(m)));

    await expect(client.request('settings.get', {})).resolves.toMatchObject({ locale: 'ru' });
    const refused = await client.request('settings.update', { locale: 'fr' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BridgeRequestError);
    expect((refused as BridgeRequestError).error).toMatchObject({ code: 'invalid_input', field: 'locale' });

    const seen: unknown[] = [];
    const off = client.on('card.presented', (p) => seen.push(p));
    const cards = (await client.request('demo.listCards', {})) as { technology: string; uid: string }[];
    await client.request('demo.tap', { readerId: 'demo', technology: cards[0]!.technology, uid: cards[0]!.uid });
    expect(seen).toHaveLength(1);
    off();
    await client.request('demo.tap', { readerId: 'demo', technology: cards[0]!.technology, uid: cards[0]!.uid });
    expect(seen).toHaveLength(1);
  });

  it('fails every waiting request when the line breaks, and nothing else', async () => {
    const client = createBridgeClient(() => {});
    const a = client.request('station.getStatus', {});
    const b = client.request('settings.get', {});
    client.failPending({ code: 'unavailable', message: 'connection to the station lost' });
    await expect(a).rejects.toMatchObject({ error: { code: 'unavailable' } });
    await expect(b).rejects.toBeInstanceOf(BridgeRequestError);
  });

  it('a refusal that crossed contextBridge as a plain object becomes the same error again', () => {
    const crossed = structuredClone({ bridgeError: { code: 'refused', message: 'no shift open', reason: 'no_shift' } });
    expect(toBridgeRequestError(crossed).error).toEqual({ code: 'refused', message: 'no shift open', reason: 'no_shift' });
    expect(toBridgeRequestError(new Error('boom')).error).toEqual({ code: 'internal', message: 'boom' });
  });
});
