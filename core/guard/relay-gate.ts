import type { Direction } from '../../common/guard-rules.ts';
import type { GateConfig, GateDirection } from '../../common/readers.ts';
import { LcusGate, type GateResult } from '../../hardware/relay.ts';
import type { Gate } from './gate.ts';

/** The guard post's Gate over the hardware LCUS relay driver: 'in' is the entry channel, 'out' the exit one. */
export class RelayGate implements Gate {
  readonly relay: LcusGate;

  constructor(config: GateConfig, relay = new LcusGate(config)) {
    this.relay = relay;
  }

  start(): void {
    this.relay.start();
  }

  isConfigured(): boolean {
    return true;
  }

  isReady(): boolean {
    return this.relay.status().state === 'ready';
  }

  async pulse(direction: Direction): Promise<void> {
    const r = await this.relay.open(direction === 'in' ? 'entry' : 'exit');
    if (!r.ok) throw new Error(r.reason);
  }

  async hold(direction: Direction, open: boolean): Promise<void> {
    const r = await this.relay.hold(direction === 'in' ? 'entry' : 'exit', open);
    if (!r.ok) throw new Error(r.reason);
  }

  test(direction: GateDirection): Promise<GateResult> {
    return this.relay.open(direction);
  }

  close(): Promise<void> {
    return this.relay.stop();
  }
}
