import type { CardTechnology } from '../common/card-id.ts';
import type { ReaderRole } from '../common/readers.ts';
import { BaseCardReader } from './card-reader.ts';

/**
 * The demo reader: a person without hardware taps a demo card from the on-screen panel and the
 * station reacts exactly as to a real reader. It is a real driver of the simulated kind, not a test fake.
 */
export class SimulatedReader extends BaseCardReader {
  constructor(id: string, role: ReaderRole) {
    super(id, 'simulated', role);
  }

  start(): void {
    this.setStatus('ready');
  }

  async stop(): Promise<void> {
    this.setStatus('disconnected');
  }

  tap(technology: CardTechnology, uid: string, at = new Date()): void {
    if (this.status().state !== 'ready') return;
    const when = at.toISOString();
    this.emit('card', { readerId: this.id, technology, uid, raw: uid, at: when });
    this.emit('removed', { readerId: this.id, at: when });
  }
}
