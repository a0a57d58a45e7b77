import type { Direction } from '../../common/domain.ts';
import type { CardRead, GateConfig, ReaderRole } from '../../common/readers.ts';
import { LcusGate, NO_GATE, type Gate, type GateResult } from '../../hardware/relay.ts';
import { type Router } from '../../common/contract/router.ts';
import { DomainError } from '../../common/errors.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { StaffPins } from '../staff-pin.ts';
import type { CardFound } from '../store/roster.ts';
import { GuardPost } from './guard-post.ts';

export interface GuardWiring {
  /** A card from any reader while the station is in guard mode (entry/exit, or a misconfigured one). */
  /** `found` is the station's one lookup of this card. */
  onCard(read: CardRead & { role: ReaderRole }, found?: CardFound): void;
  current(): GuardPost | null;
  /**
   * Setup's relay test: pulse one direction on the configured relay, recorded as a manual open by
   * `operatorId` (the IT person; null for the station's setup PIN); null when no relay is configured.
   */
  testRelay(direction: Direction, operatorId: string | null): Promise<GateResult | null>;
  close(): Promise<void>;
}

/**
 * Registers the guard post's bridge handlers and forwards its events. The service is rebuilt when the
 * store is replaced; the relay is rebuilt when its settings change.
 */
export function wireGuard(
  router: Router,
  deps: {
    store: () => Store | null;
    clock: Clock;
    log: Logger;
    exportDir: string;
    makeGate?: (config: GateConfig) => Gate;
    /** The portrait with this hash as a data URL for the pass event (see PhotoStore.dataUrl). */
    portrait?: (hash: string) => string | null;
    /** The station's one PIN check for this store (core/staff-pin.ts). */
    pins?: (store: Store) => StaffPins;
  },
): GuardWiring {
  const log = deps.log.child({ area: 'guard' });
  let built: { store: Store; guard: GuardPost } | null = null;
  let gate: { config: GateConfig | null; gate: Gate } = { config: null, gate: NO_GATE };
  const makeGate =
    deps.makeGate ??
    ((config: GateConfig) => {
      const g = new LcusGate(config);
      g.start();
      return g;
    });

  const currentGate = (): Gate => {
    const config = deps.store()?.settings.get().guard.relay ?? null;
    if (config === gate.config || JSON.stringify(config) === JSON.stringify(gate.config)) {
      gate.config = config;
      return gate.gate;
    }
    const old = gate.gate;
    void old.close().catch((err: unknown) => log.error({ err }, 'guard: closing the old relay failed'));
    gate = { config, gate: config ? makeGate(config) : NO_GATE };
    log.info({ relay: config?.path ?? null }, 'guard: relay configured');
    return gate.gate;
  };

  const current = (): GuardPost | null => {
    const store = deps.store();
    if (!store) return null;
    if (built?.store === store) return built.guard;
    built?.guard.stop();
    const guard = new GuardPost({
      store,
      clock: deps.clock,
      gate: currentGate,
      log,
      exportDir: deps.exportDir,
      ...(deps.pins ? { pins: deps.pins(store) } : {}),
    });
    currentGate();
    guard.on('pass', ({ pass, counters, cardAt }) => {
      const hash = pass.holder?.photoHash ?? null;
      router.publish('guard.pass', { pass, counters, portrait: hash && deps.portrait ? deps.portrait(hash) : null });
      // For IT (and the guard bench) at debug level: how long a tap took from the reader's card event
      // to leaving for the screens. The pass id only: no name, no card number.
      if (cardAt !== undefined) {
        const sentAt = performance.timeOrigin + performance.now();
        log.debug({ pass: pass.id, cardAt, sentAt, tookMs: Number((sentAt - cardAt).toFixed(2)) }, 'guard: tap sent to the screens');
      }
    });
    guard.on('gate', (g) => router.publish('guard.gate', g));
    guard.on('emergency', (e) => router.publish('guard.emergency', e));
    guard.on('counters', (c) => router.publish('guard.counters', c));
    guard.on('forgotten', (f) => router.publish('guard.forgotten', f));
    guard.duty.on('change', (onDuty) => router.publish('guard.duty', { onDuty }));
    guard.start();
    built = { store, guard };
    return guard;
  };

  const run = <T>(fn: (g: GuardPost) => T): T => {
    const g = current();
    if (!g) throw new DomainError('unavailable', 'store_unavailable', 'the station database is not available');
    return fn(g);
  };

  router.handle('guard.feed', (input) => run((g) => ({ items: g.feed(input) })));
  router.handle('guard.counters', () => run((g) => g.counters()));
  router.handle('guard.search', ({ query, limit }) => run((g) => ({ people: g.search(query, limit) })));
  // Manual actions carry the guard on duty; with nobody on duty, the PIN typed in the same dialog.
  router.handle('guard.manualOpen', ({ pin, staffId, ...input }) =>
    run(async (g) => ({ pass: await g.manualOpen({ ...input, operatorId: await g.duty.operatorFor(pin, staffId) }) })),
  );
  router.handle('guard.visitorPass', ({ pin, staffId, ...input }) =>
    run(async (g) => ({ pass: await g.visitorPass({ ...input, operatorId: await g.duty.operatorFor(pin, staffId) }) })),
  );
  router.handle('guard.spareCards', () => run((g) => ({ cards: g.spareCards() })));
  router.handle('guard.bindSpareCard', ({ pin, staffId, ...input }) =>
    run(async (g) => g.bindSpareCard({ ...input, operatorId: await g.duty.operatorFor(pin, staffId) })),
  );
  router.handle('guard.returnSpareCard', ({ card, pin, staffId }) =>
    run(async (g) => ({ pass: g.returnSpareCard(card, 'returned', await g.duty.operatorFor(pin, staffId)) })),
  );
  router.handle('guard.emergency', (input) =>
    run(async (g) => {
      // A fire does not wait for a PIN: the start goes ahead with whoever is on duty, or nobody.
      if (input.action === 'start') return g.startEmergency(g.duty.onDuty());
      if (input.action === 'end') return g.endEmergency(await g.duty.operatorFor(input.pin, input.staffId));
      return g.emergencyState();
    }),
  );
  router.handle('guard.duty', (input) =>
    run(async (g) => {
      if (input.action === 'signIn') return { onDuty: await g.duty.signIn(input.pin, 'sign_in', input.staffId) };
      if (input.action === 'signOut') return { onDuty: g.duty.signOut() };
      return { onDuty: g.duty.current() };
    }),
  );
  router.handle('guard.dutyStaff', () => run((g) => ({ people: g.duty.people() })));
  router.handle('guard.insideList', () => run((g) => g.insideList()));
  router.handle('guard.export', ({ format }) => run((g) => g.exportInside(format, deps.store()?.settings.get().locale ?? 'ru')));

  // A station that starts in guard mode opens its relay at once, so the first tap of the morning finds it ready.
  setImmediate(() => {
    try {
      if (deps.store()?.settings.get().mode === 'guard') current();
    } catch (err) {
      log.error({ err }, 'guard: could not start the guard post');
    }
  });

  return {
    current,
    testRelay: async (direction, operatorId) => {
      const g = currentGate();
      if (!g.isConfigured()) return null;
      const result = await g.open(direction);
      try {
        current()?.recordRelayTest(direction, operatorId, result.ok);
      } catch (err) {
        log.error({ err }, 'guard: could not record the relay test');
      }
      return result;
    },
    onCard: (read, found) => {
      try {
        current()?.onCard(read, read.role, found);
      } catch (err) {
        log.error({ err, reader: read.readerId }, 'guard: tap failed');
      }
    },
    close: async () => {
      built?.guard.stop();
      built = null;
      await gate.gate.close().catch(() => undefined);
      gate = { config: null, gate: NO_GATE };
    },
  };
}
