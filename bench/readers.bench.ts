/**
 * Card readers (docs/architecture.md, "Figures"):
 * - PC/SC on the real stack (a private pcscd + vpcd virtual cards from test/helpers/pcsc-rig.ts): the
 *   station's driver against a bare nfc-pcsc listener, in alternating rounds of the same run, never
 *   both at once. Times per tap, all on this process's clock:
 *     detect  = the virtual card receives pcscd's first control message (pcscd noticed the card),
 *     getdata = the virtual card answered GET DATA (the last thing the stack does for a uid),
 *     event   = the `card` event (driver) or nfc-pcsc's `card` with uid (bare listener).
 *   detect → event is mostly the rig (vpcd round trips of ~44 ms each: ATR, power on, GET DATA);
 *   getdata → event is the software above libpcsclite, where the driver's own overhead lives.
 * - Serial: a binary reader on a socat pty; the far end writes a whole frame; last byte → `card`.
 * - Keyboard wedge: the renderer's burst detector on 1,000 reader bursts (1–12 ms gaps) and 1,000
 *   typed numbers (≥ 30 ms gaps), with synthetic key times.
 * BENCH_PCSC_TAPS (default 200) sets the PC/SC taps, split evenly between the two listeners.
 */
import { NFC, type Reader } from 'nfc-pcsc';
import type { Report } from './run.ts';
import { encodeBinaryFrame } from '../common/reader-frames.ts';
import { ReaderConfig } from '../common/readers.ts';
import { WedgeDetector } from '../common/wedge-detector.ts';
import { closeIdlePcscContext } from '../hardware/pcsc-context.ts';
import { PcscReader, type PcscReaderConfig } from '../hardware/pcsc-reader.ts';
import { SerialReader, type SerialReaderConfig } from '../hardware/serial-reader.ts';
import type { HardwareLog } from '../hardware/log.ts';
import { pcscRigAvailable, startPcscRig, VIRTUAL_READERS, type PcscRig } from '../test/helpers/pcsc-rig.ts';
import { startPtyPair } from '../test/helpers/socat.ts';

const quiet: HardwareLog = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
const f1 = (x: number) => x.toFixed(1).padStart(7);

interface TapTimes {
  connectToEvent: number;
  detectToEvent: number;
  getDataToEvent: number;
}

/** One listener under test: started, then fed taps, then stopped before the other one starts. */
interface Listener {
  start(): Promise<void>;
  /** Resolves with performance.now() of the card event for `uid`. */
  nextCard(uid: string): Promise<number>;
  nextRemoval(): Promise<void>;
  stop(): Promise<void>;
}

function waitFor<T>(register: (resolve: (v: T) => void) => () => void, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let off = () => {};
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    off = register((v) => {
      clearTimeout(t);
      off();
      resolve(v);
    });
  });
}

function bareListener(): Listener {
  let nfc: NFC | null = null;
  let reader: Reader | null = null;
  return {
    async start() {
      const n = new NFC();
      n.on('error', () => undefined);
      nfc = n;
      reader = await waitFor<Reader>(
        (resolve) => {
          const on = (r: Reader) => r.name === VIRTUAL_READERS[0] && resolve(r);
          n.on('reader', on);
          return () => n.off('reader', on);
        },
        5000,
        'bare reader',
      );
      reader.on('error', () => undefined);
    },
    nextCard(uid) {
      const r = reader!;
      return waitFor<number>(
        (resolve) => {
          const on = (card: { uid?: string }) => {
            const t = performance.now();
            if (card.uid?.toUpperCase() === uid) resolve(t);
          };
          r.on('card', on);
          return () => r.off('card', on);
        },
        5000,
        'bare card',
      );
    },
    nextRemoval() {
      const r = reader!;
      return waitFor<void>(
        (resolve) => {
          const on = () => resolve();
          r.on('card.off', on);
          return () => r.off('card.off', on);
        },
        5000,
        'bare card.off',
      );
    },
    async stop() {
      const n = nfc;
      const r = reader;
      nfc = null;
      reader = null;
      // Closed on a fresh turn of the loop (see hardware/pcsc-context.ts on pcsclite's reader mutex).
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          for (const x of Object.values(n?.readers ?? {}) as { close?: () => void }[]) x.close?.();
          r?.removeAllListeners();
          n?.close();
          resolve();
        }),
      );
      await sleep(100);
    },
  };
}

function driverListener(): Listener {
  let reader: PcscReader | null = null;
  return {
    async start() {
      const config = ReaderConfig.parse({ id: 'bench', kind: 'pcsc', role: 'entry', readerName: VIRTUAL_READERS[0], retapMs: 0 }) as PcscReaderConfig;
      const r = new PcscReader(config, {
        log: process.env.BENCH_DEBUG
          ? {
              debug() {},
              info: (o: object, m: string) => console.log('I', m, JSON.stringify(o)),
              warn: (o: object, m: string) => console.log('W', m, JSON.stringify(o)),
              error: (o: object, m: string) => console.log('E', m, JSON.stringify(o)),
            }
          : quiet,
      });
      reader = r;
      const ready = waitFor<void>(
        (resolve) => {
          const on = (s: { state: string }) => s.state === 'ready' && resolve();
          r.on('status', on);
          return () => r.off('status', on);
        },
        5000,
        'driver ready',
      );
      r.start();
      if (r.status().state !== 'ready') await ready;
      else ready.catch(() => undefined);
    },
    nextCard(uid) {
      const r = reader!;
      return waitFor<number>(
        (resolve) => {
          const on = (c: { uid: string }) => {
            const t = performance.now();
            if (c.uid === uid) resolve(t);
          };
          r.on('card', on);
          return () => r.off('card', on);
        },
        5000,
        'driver card',
      );
    },
    nextRemoval() {
      const r = reader!;
      return waitFor<void>(
        (resolve) => {
          const on = () => resolve();
          r.on('removed', on);
          return () => r.off('removed', on);
        },
        5000,
        'driver removed',
      );
    },
    async stop() {
      await reader?.stop();
      reader = null;
      await closeIdlePcscContext();
      await sleep(100);
    },
  };
}

async function tapOnce(rig: PcscRig, listener: Listener, n: number): Promise<TapTimes> {
  const uid = `04${n.toString(16).toUpperCase().padStart(10, '0')}AB`; // 7 bytes, a new card each tap
  const event = listener.nextCard(uid);
  const card = await rig.tap(uid);
  const at = await event;
  const [detect, getData] = await Promise.all([card.detected, card.getData]);
  const removal = listener.nextRemoval();
  await card.remove({ settle: false });
  await removal;
  await sleep(30);
  return { connectToEvent: at - card.connectedAt, detectToEvent: at - detect, getDataToEvent: at - getData };
}

async function benchPcsc(report: Report): Promise<void> {
  const names = ['pcsc_bare_detect_to_event_p95_ms', 'pcsc_detect_to_event_p95_ms', 'pcsc_own_overhead_p95_ms'];
  if (!pcscRigAvailable()) {
    for (const n of names) report(n, 'pcscd or vsmartcard-vpcd not installed', '');
    return;
  }
  const taps = Number(process.env.BENCH_PCSC_TAPS ?? 200);
  const perRound = 10;
  const rounds = Math.max(1, Math.round(taps / perRound / 2));
  const rig = await startPcscRig();
  const results: Record<'bare' | 'driver', TapTimes[]> = { bare: [], driver: [] };
  let n = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const order: ('bare' | 'driver')[] = round % 2 === 0 ? ['bare', 'driver'] : ['driver', 'bare'];
      for (const kind of order) {
        const listener = kind === 'bare' ? bareListener() : driverListener();
        await listener.start();
        await sleep(200);
        for (let i = 0; i < perRound; i++) results[kind].push(await tapOnce(rig, listener, n++));
        await listener.stop();
      }
    }
  } finally {
    await rig.stop();
  }
  console.log(`PC/SC: ${rounds} alternating rounds × ${perRound} taps per listener (${n} taps), private pcscd + vpcd (${rig.mode})`);
  console.log('                       p50 ms  p95 ms  max ms');
  for (const kind of ['bare', 'driver'] as const) {
    for (const key of ['connectToEvent', 'detectToEvent', 'getDataToEvent'] as const) {
      const xs = results[kind].map((t) => t[key]);
      console.log(`${kind.padEnd(7)}${key.padEnd(15)}${f1(pct(xs, 50))} ${f1(pct(xs, 95))} ${f1(Math.max(...xs))}`);
    }
  }
  const p95 = (kind: 'bare' | 'driver', key: keyof TapTimes) =>
    pct(
      results[kind].map((t) => t[key]),
      95,
    );
  const p50 = (kind: 'bare' | 'driver', key: keyof TapTimes) =>
    pct(
      results[kind].map((t) => t[key]),
      50,
    );
  console.log(
    `driver − bare: detect→event p50 ${(p50('driver', 'detectToEvent') - p50('bare', 'detectToEvent')).toFixed(2)} ms, ` +
      `getdata→event p50 ${(p50('driver', 'getDataToEvent') - p50('bare', 'getDataToEvent')).toFixed(2)} ms, ` +
      `p95 ${(p95('driver', 'getDataToEvent') - p95('bare', 'getDataToEvent')).toFixed(2)} ms`,
  );
  report('pcsc_bare_detect_to_event_p95_ms', p95('bare', 'detectToEvent'), 'ms');
  report('pcsc_detect_to_event_p95_ms', p95('driver', 'detectToEvent'), 'ms');
  report('pcsc_own_overhead_p95_ms', p95('driver', 'detectToEvent') - p95('bare', 'detectToEvent'), 'ms');
  report('pcsc_connect_to_event_p95_ms', p95('driver', 'connectToEvent'), 'ms');
  report('pcsc_getdata_to_event_overhead_p95_ms', p95('driver', 'getDataToEvent') - p95('bare', 'getDataToEvent'), 'ms');
}

async function benchSerial(report: Report): Promise<void> {
  const pair = await startPtyPair();
  const config = ReaderConfig.parse({
    id: 'bench',
    kind: 'serial',
    role: 'entry',
    path: pair.stationPath,
    frame: 'binary',
    retapMs: 0,
    holdMs: 50,
  }) as SerialReaderConfig;
  const reader = new SerialReader(config, { log: quiet });
  try {
    await waitFor<void>(
      (resolve) => {
        const on = (s: { state: string }) => s.state === 'ready' && resolve();
        reader.on('status', on);
        reader.start();
        return () => reader.off('status', on);
      },
      5000,
      'serial ready',
    );
    const far = await pair.openFar();
    const times: number[] = [];
    const frames = 500;
    for (let i = 0; i < frames; i++) {
      const snr = [0x06, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 0x5d];
      const uid = snr
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase();
      const frame = encodeBinaryFrame(0x02, snr);
      const got = waitFor<number>(
        (resolve) => {
          const on = (c: { uid: string }) => {
            const t = performance.now();
            if (c.uid === uid) resolve(t);
          };
          reader.on('card', on);
          return () => reader.off('card', on);
        },
        3000,
        'serial card',
      );
      const t0 = performance.now();
      await far.write(frame);
      times.push((await got) - t0);
    }
    console.log(
      `serial: ${frames} binary frames through a socat pty: last byte written → card p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`,
    );
    report('serial_frame_to_event_p99_ms', pct(times, 99), 'ms');
  } finally {
    await reader.stop();
    await pair.stop();
  }
}

function benchWedge(report: Report): void {
  // A deterministic generator, so the figure is the same on every run.
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const digits = () => Array.from({ length: 10 }, () => String(Math.floor(rnd() * 10))).join('');
  const run = (text: string, gap: () => number, t0: number) => {
    const d = new WedgeDetector({ maxGapMs: 25, minLength: 6 });
    const cards: string[] = [];
    let t = t0;
    for (const key of [...text, 'Enter']) {
      const dl = d.deadline();
      if (dl !== null && dl < t) d.flush(dl);
      for (const o of d.key(key, t).out) if (o.kind === 'card') cards.push(o.text);
      t += gap();
    }
    return cards;
  };
  let missed = 0;
  let falseCards = 0;
  for (let i = 0; i < 1000; i++) {
    const text = digits();
    const cards = run(text, () => 1 + rnd() * 11, i * 10_000);
    if (cards.length !== 1 || cards[0] !== text) missed++;
  }
  for (let i = 0; i < 1000; i++) {
    const cards = run(digits(), () => 30 + rnd() * 220, i * 10_000);
    falseCards += cards.length;
  }
  console.log(`wedge: 1,000 reader bursts (1–12 ms gaps): ${missed} missed; 1,000 typed numbers (30–250 ms gaps): ${falseCards} false cards`);
  report('wedge_missed', missed, 'bursts');
  report('wedge_false', falseCards, 'cards');
}

export default async function readersBench(report: Report): Promise<void> {
  await benchSerial(report);
  benchWedge(report);
  await benchPcsc(report);
}
