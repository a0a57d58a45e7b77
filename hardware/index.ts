import type { GateConfig, ReaderConfig } from '../common/readers.ts';
import type { CardReader } from './card-reader.ts';
import type { HardwareLog } from './log.ts';
import { PcscReader } from './pcsc-reader.ts';
import { LcusGate, type Gate } from './relay.ts';
import { SerialReader } from './serial-reader.ts';
import { SimulatedReader } from './simulated-reader.ts';
import { WedgeReader } from './wedge.ts';

export type { CardReader, CardReaderEvents } from './card-reader.ts';
export type { HardwareLog } from './log.ts';
export type { Gate, GateResult, GateFailure } from './relay.ts';
export { SimulatedReader } from './simulated-reader.ts';
export { PcscReader } from './pcsc-reader.ts';
export { SerialReader } from './serial-reader.ts';
export { WedgeReader } from './wedge.ts';
export { LcusGate, NO_GATE } from './relay.ts';
export { discoverHardware, listPcscReaders, listSerialPorts } from './discovery.ts';

export interface HardwareDeps {
  /** Where drivers log (the station's logger); stderr JSON lines when absent. */
  log?: HardwareLog;
}

/** Builds the driver for one configured reader. */
export function createReader(config: ReaderConfig, deps: HardwareDeps = {}): CardReader {
  switch (config.kind) {
    case 'simulated':
      return new SimulatedReader(config.id, config.role);
    case 'pcsc':
      return new PcscReader(config, deps);
    case 'serial':
      return new SerialReader(config, deps);
    case 'wedge':
      return new WedgeReader(config, deps);
  }
}

/** Builds the turnstile or door relay. */
export function createGate(config: GateConfig, deps: HardwareDeps = {}): Gate {
  return new LcusGate(config, deps);
}
