/**
 * The on-screen demo reader is a tap as anybody in the school, so it exists only in a demo school:
 * the embedded one, or a backend that says it serves one (core/backend-switch.ts isDemoBackend).
 */
import { ReaderConfig } from '../common/readers.ts';
import type { Logger } from '../common/logger.ts';
import { DomainError } from '../common/errors.ts';
import { currentBackend, isDemoBackend } from '../core/backend-switch.ts';
import type { Store } from '../core/store/index.ts';

export const DEMO_READER: ReaderConfig = ReaderConfig.parse({ id: 'demo', kind: 'simulated', role: 'entry' });

/** The readers a station may run: no simulated one outside a demo school, whatever the settings say. */
export function allowedReaders(store: Store, readers: readonly ReaderConfig[]): ReaderConfig[] {
  return isDemoBackend(store) ? [...readers] : readers.filter((r) => r.kind !== 'simulated');
}

/**
 * Settles the readers setting with the school the station serves: a real school's station loses its
 * simulated readers; a demo school's station with no reader at all gets the demo reader. True when it changed.
 */
export function settleDemoReaders(store: Store, log: Pick<Logger, 'info' | 'warn'>, options: { offerDemoReader: boolean }): boolean {
  const readers = store.settings.get().readers;
  // A station that does not know its school yet (a backend given at start, enrollment under way)
  // keeps its settings; allowedReaders keeps the simulated ones from running meanwhile.
  if (!currentBackend(store)) return false;
  if (!isDemoBackend(store)) {
    const kept = readers.filter((r) => r.kind !== 'simulated');
    if (kept.length === readers.length) return false;
    store.settings.update({ readers: kept });
    log.warn({ removed: readers.length - kept.length }, 'readers: removed the simulated reader(s): this station serves a real school');
    return true;
  }
  if (options.offerDemoReader && readers.length === 0) {
    store.settings.update({ readers: [DEMO_READER] });
    log.info('readers: the demo school gets the on-screen demo reader');
    return true;
  }
  return false;
}

/** Refuses a `demo.*` request (or a simulated reader in the settings) outside a demo school. */
export function requireDemo(store: Store, log: Pick<Logger, 'warn'>, what: string): void {
  if (isDemoBackend(store)) return;
  log.warn({ request: what }, 'demo request refused: this station serves a real school, not a demo school');
  throw new DomainError('refused', 'demo_only', 'the on-screen demo reader exists only in a demo school');
}
