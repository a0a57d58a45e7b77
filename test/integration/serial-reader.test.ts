import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBinaryFrame } from '../../common/reader-frames.ts';
import { ReaderConfig } from '../../common/readers.ts';
import type { CardRead, ReaderStatus } from '../../common/readers.ts';
import { SerialReader, type SerialReaderConfig } from '../../hardware/serial-reader.ts';
import { startPtyPair } from '../helpers/socat.ts';
import { memoryLog, nextEvent, sleep } from '../helpers/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function serialConfig(path: string, extra: Partial<SerialReaderConfig> = {}): SerialReaderConfig {
  return ReaderConfig.parse({ id: 'door', kind: 'serial', role: 'entry', path, ...extra }) as SerialReaderConfig;
}

async function setup(extra: Partial<SerialReaderConfig> = {}) {
  const pair = await startPtyPair();
  cleanups.push(() => pair.stop());
  const log = memoryLog();
  const reader = new SerialReader(serialConfig(pair.stationPath, extra), { log });
  cleanups.push(() => reader.stop());
  const cards: CardRead[] = [];
  const statuses: ReaderStatus[] = [];
  reader.on('card', (c) => cards.push(c));
  reader.on('status', (s) => statuses.push(s));
  const ready = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready');
  reader.start();
  await ready;
  const far = await pair.openFar();
  return { pair, reader, far, cards, statuses, log };
}

const untilCards = async (cards: CardRead[], n: number, timeoutMs = 3000) => {
  const until = Date.now() + timeoutMs;
  while (cards.length < n && Date.now() < until) await sleep(10);
  return cards;
};

describe('serial reader on a real pty (socat)', () => {
  it('reads text lines in the configured format as canonical uids', async () => {
    const { far, cards } = await setup({ frame: 'text', format: 'dec10', technology: 'em4100', retapMs: 0, holdMs: 100 });
    await far.write('0009334109\r\n');
    await untilCards(cards, 1);
    await sleep(150);
    await far.write('EM:0001234567\r\n');
    await untilCards(cards, 2);
    expect(cards.map((c) => [c.technology, c.uid, c.raw])).toEqual([
      ['em4100', '008E6D5D', '0009334109'],
      ['em4100', '0012D687', 'EM:0001234567'],
    ]);
    expect(cards[0]?.readerId).toBe('door');
  });

  it('reads binary STX…ETX frames, byte by byte or in one go', async () => {
    const { far, cards } = await setup({ frame: 'binary', retapMs: 0, holdMs: 100 });
    const frame = [0x02, 0x0a, 0x02, 0x06, 0x00, 0x8e, 0x6d, 0x5d, 0xb0, 0x03];
    for (const b of frame) await far.write([b]);
    await untilCards(cards, 1);
    await sleep(150);
    await far.write(encodeBinaryFrame(0x01, [0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6]));
    await untilCards(cards, 2);
    expect(cards.map((c) => `${c.technology}:${c.uid}`)).toEqual(['em4100:06008E6D5D', 'iso14443:04A1B2C3D4E5F6']);
  });

  it('a card held on the reader (frames repeated) is one tap; shown again after the interval is a second tap', async () => {
    const { reader, far, cards } = await setup({ frame: 'text', format: 'hex', retapMs: 600, holdMs: 250 });
    const removed = nextEvent(reader, 'removed', () => true, 3000);
    for (let i = 0; i < 6; i++) {
      await far.write('06008E6D5D\r\n');
      await sleep(100);
    }
    await removed;
    expect(cards).toHaveLength(1);
    // Within retapMs of the last frame: the same tap bouncing.
    await sleep(50);
    await far.write('06008E6D5D\r\n');
    await sleep(400);
    expect(cards).toHaveLength(1);
    await sleep(400);
    await far.write('06008E6D5D\r\n');
    await untilCards(cards, 2);
    expect(cards).toHaveLength(2);
    expect(reader.stats().repeats).toBeGreaterThanOrEqual(6);
  });

  it('drops every kind of bad input with a counted, logged reason and reads the next good frame', async () => {
    const { reader, far, cards, log } = await setup({ frame: 'binary', retapMs: 0, holdMs: 50, frameTimeoutMs: 100 });
    await far.write([0x02, 0x0a, 0x02, 0x06, 0x00, 0x8e, 0x6d, 0x5d, 0xb1, 0x03]); // wrong BCC
    await far.write([0xde, 0xad, 0xbe, 0xef]); // garbage
    await far.write([0x02, 0x0a, 0x02, 0x06, 0x00]); // half a frame, then silence
    await sleep(300);
    await far.write(encodeBinaryFrame(2, [1, 2, 3, 4, 5]));
    await untilCards(cards, 1);
    expect(cards.map((c) => c.uid)).toEqual(['0102030405']);
    const drops = reader.stats().drops;
    expect(drops.bad_checksum).toBe(1);
    expect(drops.garbage).toBe(1);
    expect(drops.incomplete_frame).toBe(1);
    const logged = log.lines.filter((l) => l.msg === 'reader: dropped bad input').map((l) => l.obj.reason);
    expect(logged).toEqual(['bad_checksum', 'garbage', 'incomplete_frame']);
  });

  it('drops text lines that match no pattern or run too long, and keeps reading', async () => {
    const { reader, far, cards, log } = await setup({ frame: 'text', format: 'hex', retapMs: 0, holdMs: 50, maxLineLength: 32 });
    await far.write('HELLO WORLD\r\n');
    await far.write(`${'9'.repeat(500)}\r\n`);
    await far.write('06008E6D5D\r\n');
    await untilCards(cards, 1);
    expect(cards.map((c) => c.uid)).toEqual(['06008E6D5D']);
    expect(reader.stats().drops).toMatchObject({ no_match: 1, line_too_long: 1 });
    expect(log.lines.filter((l) => l.level === 'warn' && l.msg === 'reader: dropped bad input')).toHaveLength(2);
  });

  it('notices a port that vanishes with no traffic within 3 s, and comes back by itself without duplicate listeners', async () => {
    const { pair, reader, cards } = await setup({ frame: 'text', format: 'hex', retapMs: 0, holdMs: 50 });
    const gone = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'disconnected', 3000);
    const t0 = Date.now();
    await pair.unplug();
    const st = await gone;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(st.reason).toMatch(/port_lost|port_missing/);
    await sleep(700);
    const back = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready', 5000);
    await pair.plug();
    await back;
    const far = await pair.openFar();
    await far.write('06008E6D5D\r\n');
    await untilCards(cards, 1);
    await sleep(200);
    expect(cards).toHaveLength(1);
    expect(reader.stats().reconnects).toBe(1);
  });

  it('a port that does not exist yet is "disconnected" until it appears', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.stop());
    await pair.unplug();
    const reader = new SerialReader(serialConfig(pair.stationPath), { log: memoryLog() });
    cleanups.push(() => reader.stop());
    const missing = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'disconnected');
    reader.start();
    expect((await missing).reason).toBe('port_missing');
    const ready = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready');
    await pair.plug();
    await ready;
  });

  it('a port held by another process is "busy" and is taken once it is free', async () => {
    const pair = await startPtyPair();
    cleanups.push(() => pair.stop());
    // A real second opener: another process holding the port with serialport's exclusive lock.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `import('serialport').then(({SerialPort}) => { const p = new SerialPort({ path: ${JSON.stringify(pair.stationPath)}, baudRate: 9600, lock: true }); p.on('open', () => console.log('held')); setInterval(() => {}, 1000); })`,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(async () => void (holder.exitCode === null && holder.kill()));
    await new Promise<void>((resolve) => holder.stdout?.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
    const reader = new SerialReader(serialConfig(pair.stationPath), { log: memoryLog() });
    cleanups.push(() => reader.stop());
    const busy = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'busy');
    reader.start();
    expect((await busy).reason).toBe('port_busy');
    const ready = nextEvent<ReaderStatus>(reader, 'status', (s) => s.state === 'ready', 5000);
    holder.kill();
    await ready;
  });
});
