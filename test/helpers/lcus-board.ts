/**
 * Plays an LCUS-type relay board on the far end of a socat pty pair (docs/architecture.md, "Hardware on the wire"): keeps every byte
 * the station sent, switches its channels on valid `A0 ch st sum` commands and answers the status
 * query `FF` with "CH1: ON\r\nCH2: OFF\r\n" lines, like multi-channel LCUS boards.
 *
 *   const pair = await startPtyPair();
 *   const board = await startLcusBoard(pair);            // { answers: true, obeys: true }
 *   const gate = new LcusGate(GateConfig.parse({ kind: 'lcus', path: pair.stationPath }));
 */
import type { FarEnd, PtyPair } from './socat.ts';

export interface LcusBoard {
  readonly far: FarEnd;
  /** Channel states as the board holds them now. */
  readonly channels: Map<number, boolean>;
  /** Every byte the station sent, in order. */
  received(): number[];
  /** Each switch the board made, with the time it happened (ms, performance.now). */
  readonly switches: { channel: number; on: boolean; at: number }[];
}

export async function startLcusBoard(pair: PtyPair, options: { channels?: number; answers?: boolean; obeys?: boolean } = {}): Promise<LcusBoard> {
  const { channels: count = 2, answers = true, obeys = true } = options;
  const far = await pair.openFar();
  const channels = new Map<number, boolean>();
  for (let c = 1; c <= count; c++) channels.set(c, false);
  const switches: LcusBoard['switches'] = [];
  let pending: number[] = [];
  far.onData((chunk) => {
    pending.push(...chunk);
    while (pending.length > 0) {
      if (pending[0] === 0xff) {
        pending = pending.slice(1);
        if (answers) {
          const text = [...channels].map(([c, on]) => `CH${c}: ${on ? 'ON' : 'OFF'}\r\n`).join('');
          void far.write(text);
        }
        continue;
      }
      if (pending[0] !== 0xa0) {
        pending = pending.slice(1);
        continue;
      }
      if (pending.length < 4) break;
      const [a, ch, st, sum] = pending as [number, number, number, number];
      pending = pending.slice(4);
      if (((a + ch + st) & 0xff) !== sum || !channels.has(ch) || st > 1) continue;
      if (obeys) {
        channels.set(ch, st === 1);
        switches.push({ channel: ch, on: st === 1, at: performance.now() });
      }
    }
  });
  return { far, channels, switches, received: () => [...far.received()] };
}

/**
 * Waits until every channel of the board is off again and no byte has come for 100 ms: the pulses the
 * station sent are over, however slow the machine (a fixed sleep raced the close under load).
 */
export async function pulsesOver(board: LcusBoard, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let seen = -1;
  for (;;) {
    const now = board.received().length;
    if (now === seen && [...board.channels.values()].every((on) => !on)) return;
    if (Date.now() > until) throw new Error(`the relay's pulses were not over within ${timeoutMs} ms`);
    seen = now;
    await new Promise((r) => setTimeout(r, 100));
  }
}
