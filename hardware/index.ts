import type { ReaderConfig } from '../common/readers.ts';
import type { CardReader } from './card-reader.ts';
import { SimulatedReader } from './simulated-reader.ts';

export type { CardReader, CardReaderEvents } from './card-reader.ts';
export { SimulatedReader } from './simulated-reader.ts';

/** Builds the driver for one configured reader. */
export function createReader(config: ReaderConfig): CardReader {
  switch (config.kind) {
    case 'simulated':
      return new SimulatedReader(config.id, config.role);
    default:
      throw new Error(`reader kind "${config.kind}" has no driver in this build`);
  }
}
