import { afterEach, describe, expect, it } from 'vitest';
import { GateConfig, type GateStatus } from '../../common/readers.ts';
import { LcusGate, lcusCommand } from '../../hardware/relay.ts';
import { startLcusBoard } from '../helpers/lcus-board.ts';
import { startPtyPair } from '../helpers/socat.ts';
import { memoryLog, nextEvent, sleep } from '../helpers/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(board: { answers?: boolean; obeys?: boolean } = {}, config: Partial<GateConfig> = {}) {
  const pair = await startPtyPair();
  cleanups.push(() => pair.stop());
  const relay = await startLcusBoard(pair, board);
  const log = memoryLog();
  const gate = new LcusGate(GateConfig.parse({ kind: 'lcus', path: pair.stationPath, pulseMs: 200, ...config }), { log, answerMs: 200 });
  cleanups.push(() => gate.stop());
  const ready = nextEvent<GateStatus>(gate, 'status', (s) => s.state === 'ready');
  gate.start();
  await ready;
  return { pair, relay, gate, log };
}

describe('LCUS relay gate on a real pty', () => {
  it('computes the command checksum as the sum of the three bytes', () => {
    expect(lcusCommand(1, true)).toEqual([0xa0, 0x01, 0x01, 0xa2]);
    expect(lcusCommand(1, false)).toEqual([0xa0, 0x01, 0x00, 0xa1]);
    expect(lcusCommand(0x60, true)).toEqual([0xa0, 0x60, 0x01, 0x01]);
  });

  it('opens the entry channel for the pulse, confirms it by the status query, then closes it: bytes checked one by one', async () => {
    const { relay, gate } = await setup({}, { entryChannel: 1, exitChannel: 2, pulseMs: 200 });
    const result = await gate.open('in');
    expect(result).toEqual({ ok: true, confirmed: true });
    expect(relay.channels.get(1)).toBe(true);
    await sleep(350);
    expect(relay.channels.get(1)).toBe(false);
    expect(relay.received()).toEqual([0xa0, 0x01, 0x01, 0xa2, 0xff, 0xa0, 0x01, 0x00, 0xa1]);
    const [on, off] = relay.switches;
    // The board's clock sees the "on" byte late when the machine is busy (it shares this process's
    // event loop), so the pulse it measures can be shorter than the station's 200 ms; one cut short by
    // a bug would be a few milliseconds.
    expect(off!.at - on!.at).toBeGreaterThanOrEqual(150);
  });

  it('opens the exit channel for the exit direction', async () => {
    const { relay, gate } = await setup({}, { entryChannel: 1, exitChannel: 2, pulseMs: 100 });
    expect(await gate.open('out')).toEqual({ ok: true, confirmed: true });
    expect(relay.received().slice(0, 4)).toEqual([0xa0, 0x02, 0x01, 0xa3]);
    expect(relay.channels.get(1)).toBe(false);
  });

  it('reports a relay that does not switch, and one that does not answer', async () => {
    const deaf = await setup({ obeys: false });
    expect(await deaf.gate.open('in')).toEqual({ ok: false, reason: 'not_confirmed' });
    expect(deaf.log.lines.some((l) => l.msg === 'gate: relay channel did not switch on')).toBe(true);
    const mute = await setup({ answers: false });
    expect(await mute.gate.open('in')).toEqual({ ok: false, reason: 'no_answer' });
  });

  it('refuses while the relay is unplugged and works again once it is back', async () => {
    const { pair, gate } = await setup();
    const gone = nextEvent<GateStatus>(gate, 'status', (s) => s.state === 'disconnected', 3000);
    await pair.unplug();
    await gone;
    expect(await gate.open('in')).toEqual({ ok: false, reason: 'gate_not_ready' });
    const back = nextEvent<GateStatus>(gate, 'status', (s) => s.state === 'ready', 5000);
    await pair.plug();
    await back;
    const relay = await startLcusBoard(pair);
    expect(await gate.open('in')).toEqual({ ok: true, confirmed: true });
    expect(relay.received().slice(0, 5)).toEqual([0xa0, 0x01, 0x01, 0xa2, 0xff]);
  });
});
