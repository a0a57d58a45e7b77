/**
 * The PC/SC driver on a real PC/SC stack: pcscd + vsmartcard-vpcd, virtual cards from the rig.
 * All PC/SC tests of this layer live in this one file (pcscd is one per machine; the rig's lock
 * serialises it with PC/SC tests in other files).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRandomUid } from '../../common/card-id.ts';
import { ReaderConfig, type CardRead, type ReaderStatus } from '../../common/readers.ts';
import { PcscReader, type PcscReaderConfig } from '../../hardware/pcsc-reader.ts';
import { listPcscReaders } from '../../hardware/discovery.ts';
import { startPcscRig, VIRTUAL_READERS, type PcscRig } from '../helpers/pcsc-rig.ts';
import { memoryLog, nextEvent, sleep } from '../helpers/wait.ts';

let rig: PcscRig;
beforeAll(async () => {
  rig = await startPcscRig();
}, 320_000);
afterAll(async () => {
  await rig?.stop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function startReader(extra: Partial<PcscReaderConfig> = {}, waitReady = true) {
  const config = ReaderConfig.parse({ id: 'door', kind: 'pcsc', role: 'entry', readerName: VIRTUAL_READERS[0], ...extra }) as PcscReaderConfig;
  const log = memoryLog(process.env.DEBUG_PCSC === '1');
  const reader = new PcscReader(config, { log });
  const cards: CardRead[] = [];
  const removed: string[] = [];
  reader.on('card', (c) => cards.push(c));
  reader.on('removed', (r) => removed.push(r.at));
  cleanups.push(() => reader.stop());
  const ready = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready', 10_000);
  reader.start();
  if (waitReady) await ready;
  else ready.catch(() => undefined);
  return { reader, cards, removed, log };
}

describe('PC/SC reader on pcscd + vpcd', () => {
  it('discovery lists the readers pcscd reports', async () => {
    const names = await listPcscReaders();
    expect(names).toEqual(expect.arrayContaining([...VIRTUAL_READERS]));
  });

  it('reads 4-, 7- and 10-byte uids through GET DATA; taking the card away is reported', async () => {
    const { reader, cards, removed } = await startReader({ retapMs: 0 });
    for (const uid of ['A1B2C3D4', '04A1B2C3D4E5F6', '0102030405060708090A']) {
      const seen = nextEvent<CardRead>(reader, 'card', (c) => c.uid === uid, 5000);
      const card = await rig.tap(uid);
      const read = await seen;
      expect(read).toMatchObject({ readerId: 'door', technology: 'iso14443', uid, raw: uid });
      expect(card.apdus).toEqual(['FFCA000000']);
      const off = nextEvent(reader, 'removed', () => true, 5000);
      await card.remove();
      await off;
    }
    expect(cards.map((c) => c.uid)).toEqual(['A1B2C3D4', '04A1B2C3D4E5F6', '0102030405060708090A']);
    expect(removed).toHaveLength(3);
  });

  it('a card held on the reader is one tap; away and back within the interval is still one; after it, two', async () => {
    const { reader, cards } = await startReader({ retapMs: 1500 });
    const first = await rig.tap('04AABBCCDDEEFF');
    await nextEvent(reader, 'card');
    await sleep(1500); // held: pcscd keeps polling, nothing new fires
    expect(cards).toHaveLength(1);
    let off = nextEvent(reader, 'removed');
    await first.remove();
    await off;
    const bounce = await rig.tap('04AABBCCDDEEFF');
    await bounce.getData;
    await sleep(150);
    expect(cards).toHaveLength(1);
    expect(reader.stats().bounces).toBe(1);
    await bounce.remove();
    await sleep(1600);
    const again = nextEvent(reader, 'card');
    const second = await rig.tap('04AABBCCDDEEFF');
    await again;
    expect(cards).toHaveLength(2);
    off = nextEvent(reader, 'removed');
    await second.remove();
    await off;
  });

  it('a card that answers GET DATA with an error is a counted, logged misread; the next card reads', async () => {
    const { reader, cards, log } = await startReader({ retapMs: 0 });
    const misread = nextEvent<{ reason: string }>(reader, 'misread');
    const bad = await rig.tap('04112233445566', { getDataStatus: 0x6a81 });
    expect((await misread).reason).toBe('get_data_failed');
    expect(cards).toHaveLength(0);
    expect(reader.stats().misreads).toEqual({ get_data_failed: 1 });
    expect(log.lines.some((l) => l.msg === 'pcsc: card uid not read' && l.obj.sw === '6A81')).toBe(true);
    await bad.remove();
    const good = nextEvent<CardRead>(reader, 'card');
    const card = await rig.tap('04112233445566');
    expect((await good).uid).toBe('04112233445566');
    await card.remove();
  });

  it('emits a random uid (08…) as read; the station decides it cannot be a pass', async () => {
    const { reader } = await startReader({ retapMs: 0 });
    const seen = nextEvent<CardRead>(reader, 'card');
    const card = await rig.tap('08A1B2C3');
    const read = await seen;
    expect(isRandomUid(read)).toBe(true);
    await card.remove();
  });

  it('two readers on two slots share one PC/SC context and each sees only its own cards', async () => {
    const a = await startReader({ id: 'in', readerName: VIRTUAL_READERS[0], retapMs: 0 });
    const b = await startReader({ id: 'out', role: 'exit', readerName: VIRTUAL_READERS[1], retapMs: 0 });
    const seenB = nextEvent<CardRead>(b.reader, 'card');
    const card = await rig.tap('04CAFEBABE0001', { slot: 1 });
    expect((await seenB).readerId).toBe('out');
    await sleep(100);
    expect(a.cards).toHaveLength(0);
    await card.remove();
  });

  it('a reader that is not there is "disconnected: reader_absent"', async () => {
    const { reader } = await startReader({ readerName: 'ACS ACR122U PICC Interface 00 00' }, false);
    const st =
      reader.status().state === 'disconnected' ? reader.status() : await nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'disconnected', 5000);
    expect(st.reason).toBe('reader_absent');
  });

  it('survives pcscd being killed and restarted: disconnected, then ready again by itself, one event per tap', async () => {
    const { reader, cards } = await startReader({ retapMs: 0 });
    // The reader ends a moment before pcscd stops answering, so the first word may be "reader_absent";
    // the status IT sees settles on "pcsc_unavailable" once the service is gone.
    const down = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'disconnected' && s.reason === 'pcsc_unavailable', 10_000);
    await rig.killPcscd();
    expect((await down).reason).toBe('pcsc_unavailable');
    await sleep(500);
    const back = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready', 15_000);
    await rig.startPcscd();
    await back;
    const seen = nextEvent<CardRead>(reader, 'card');
    const card = await rig.tap('04DEADBEEF0001');
    await seen;
    await sleep(300);
    expect(cards.map((c) => c.uid)).toEqual(['04DEADBEEF0001']);
    // It attached again by itself (at least once more: a freshly started pcscd may list vpcd's reader,
    // drop it and list it again while vpcd reconnects, and each listing is an attachment).
    expect(reader.stats().attachments).toBeGreaterThanOrEqual(2);
    await card.remove();
  });

  it('started while pcscd is down: does not hang the process, and is ready once pcscd starts', async () => {
    await rig.killPcscd();
    const { reader } = await startReader({}, false);
    const ticks: number[] = [];
    const tick = setInterval(() => ticks.push(Date.now()), 20);
    await sleep(800);
    clearInterval(tick);
    expect(ticks.length).toBeGreaterThan(20); // the event loop kept running
    expect(reader.status()).toMatchObject({ state: 'disconnected', reason: 'pcsc_unavailable' });
    const ready = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready', 15_000);
    await rig.startPcscd();
    await ready;
  });
});
