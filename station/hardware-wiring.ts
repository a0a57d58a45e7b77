import type { Direction } from '../common/domain.ts';
import { discoverHardware } from '../hardware/discovery.ts';
import type { HardwareLog } from '../hardware/log.ts';
import type { GateResult } from '../hardware/relay.ts';
import { type Caller, type Router } from '../common/contract/router.ts';
import { DomainError } from '../common/errors.ts';
import type { ReaderHub } from '../core/readers.ts';

/**
 * The hardware area of the bridge: what setup can discover, keyboard-wedge bursts from the renderer,
 * the relay test button, and misreads (a card whose id could not be read) pushed to the renderer so
 * the person taps again.
 */
export function wireHardware(
  router: Router,
  deps: { readers: ReaderHub; log: HardwareLog; testRelay?: (direction: Direction, caller: Caller) => Promise<GateResult | null> },
): void {
  router.handle('hardware.discover', () => discoverHardware({ log: deps.log }));
  router.handle('reader.wedgeCard', ({ readerId, text }) => {
    const reader = deps.readers.get(readerId);
    if (!reader?.burst) throw new DomainError('not_found', 'not_a_wedge_reader', `no keyboard-wedge reader "${readerId}"`);
    return { accepted: reader.burst(text) };
  });
  router.handle(
    'hardware.testRelay',
    async ({ direction }, caller) => (await deps.testRelay?.(direction, caller)) ?? { ok: false as const, reason: 'no_relay' as const },
  );
  deps.readers.on('misread', (m) => router.publish('reader.misread', m));
}
