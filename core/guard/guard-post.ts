import { EventEmitter } from 'node:events';
import type { CanonicalCard } from '../../common/card-id.ts';
import type { EmergencyState, GateOutcome, GuardCounters, GuardPassView, InsideList, PersonFound, SpareCardView } from '../../common/contract/guard.ts';
import type { HolderKind } from '../../common/domain.ts';
import { DEFAULT_FLOOD, type Direction, type FloodSettings, type ManualOpenReason, type VisitorReason } from '../../common/guard-rules.ts';
import type { CardRead, ReaderRole } from '../../common/readers.ts';
import type { Clock } from '../../common/clock.ts';
import type { Logger } from '../../common/logger.ts';
import type { Store } from '../store/index.ts';
import type { StaffPins } from '../staff-pin.ts';
import type { CardFound } from '../store/roster.ts';
import type { SchoolPass, SchoolVisitor } from '../store/school-day.ts';
import type { DayFact } from '../../common/sync-api.ts';
import { GuardDuty } from './duty.ts';
import { Emergency } from './emergency.ts';
import type { Gate } from '../../hardware/relay.ts';
import { ManualPasses } from './manual-passes.ts';
import { PassBook, type PassShown } from './pass-book.ts';
import { RollCall } from './roll-call.ts';
import { SpareCards } from './spare-cards.ts';
import { Taps } from './taps.ts';
import { Turnstile } from './turnstile.ts';

export interface GuardPostOptions {
  store: Store;
  clock: Clock;
  /** The turnstile; a function so a relay reconfigured in setup is picked up without a restart. */
  gate: () => Gate;
  log: Logger;
  /** Where roll-call exports are written (the data folder's `exports/`). */
  exportDir: string;
  /** The station's one PIN check (core/staff-pin.ts); default: one of the post's own. */
  pins?: StaffPins;
  flood?: FloodSettings;
  /** How long a manual open waits for the relay before telling the guard it did not open. */
  gateTimeoutMs?: number;
}

interface GuardPostEvents {
  pass: [PassShown];
  gate: [{ passId: string; gate: GateOutcome }];
  emergency: [EmergencyState];
  /** The school's other posts' passes came in and changed the counters. */
  counters: [GuardCounters];
  forgotten: [{ holderIds: string[] }];
}

/**
 * The guard post: every tap at an entry or exit reader gets its verdict from the local store (never the
 * network), is shown at once, opens the relay on allow and is recorded in the pass log and the outbox in
 * one transaction. Counters, feed, search, manual open, visitor pass, spare cards and emergency mode all
 * work from the store alone, so the post keeps working offline. This class puts the parts together
 * (one file each: taps, manual passes, spare cards, emergency, roll call, duty) and is the one face the
 * bridge handlers see.
 */
export class GuardPost extends EventEmitter<GuardPostEvents> {
  readonly #book: PassBook;
  readonly #taps: Taps;
  readonly #manual: ManualPasses;
  readonly #spares: SpareCards;
  readonly #emergency: Emergency;
  readonly #rollCall: RollCall;
  #timer: NodeJS.Timeout | null = null;
  /** Who is on duty: the operator of manual actions. Taps never look at it. */
  readonly duty: GuardDuty;

  constructor(options: GuardPostOptions) {
    super();
    const { store, clock, log } = options;
    // The school's time zone is read from the store's school settings on each use (pass-book.ts).
    const book = new PassBook({ store, clock, log, shown: (e) => this.emit('pass', e) });
    const turnstile = new Turnstile({
      gate: options.gate,
      log,
      timeoutMs: options.gateTimeoutMs ?? 1_000,
      heldOpen: () => this.#emergency.active(),
      notOpened: (passId) => {
        store.passes.setGate(passId, 'not_opened');
        this.emit('gate', { passId, gate: 'not_opened' });
      },
    });
    this.#book = book;
    this.#rollCall = new RollCall({ store, clock, log, book, exportDir: options.exportDir });
    this.#taps = new Taps({ store, clock, log, book, turnstile, flood: options.flood ?? DEFAULT_FLOOD });
    this.#manual = new ManualPasses({ store, clock, log, book, turnstile });
    this.#spares = new SpareCards({ store, clock, log, book });
    this.#emergency = new Emergency({
      store,
      clock,
      log,
      book,
      turnstile,
      insideCount: () => this.#rollCall.insideList().total,
      changed: (state) => this.emit('emergency', state),
    });
    this.duty = new GuardDuty({ store, clock, log, endOfDay: (now) => book.endOfDay(now), ...(options.pins ? { pins: options.pins } : {}) });
  }

  /** Resumes an emergency that was on when the station stopped, returns spent spare cards, starts the day timer. */
  start(): void {
    this.#emergency.resume();
    this.returnExpiredSpares();
    this.duty.expire();
    this.#timer = setInterval(() => {
      this.returnExpiredSpares();
      this.duty.expire();
    }, 60_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  schoolDate(now?: number): string {
    return this.#book.schoolDate(now);
  }

  onCard(read: CardRead, role: ReaderRole, found?: CardFound): GuardPassView | null {
    return this.#taps.onCard(read, role, found);
  }

  counters(): GuardCounters {
    return this.#book.counters();
  }

  /**
   * The school-day sync merged facts from the other stations (stored once each): the other posts'
   * passes and visitors of today go onto the counters and the inside-now list.
   */
  schoolFacts(fresh: readonly DayFact[]): void {
    const date = this.#book.schoolDate();
    const passes: SchoolPass[] = [];
    const visitors: SchoolVisitor[] = [];
    for (const f of fresh) {
      if (f.kind === 'visitor' && f.schoolDate === date) {
        visitors.push({ id: f.id, stationId: f.stationId, at: f.at, direction: f.direction, visitorName: f.visitorName, reason: f.reason });
        continue;
      }
      if (f.kind !== 'pass' || f.schoolDate !== date) continue;
      passes.push({
        id: f.id,
        stationId: f.stationId,
        holderId: f.holderId,
        holderKind: f.holderKind,
        at: f.at,
        direction: f.direction,
        verdict: f.verdict,
        manual: f.manual,
      });
    }
    if (!passes.length && !visitors.length) return;
    passes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    this.emit('counters', this.#book.mergeSchool(passes, date, visitors));
  }

  /**
   * The roster removed these people (sync committed it; their passes are already deleted): the screens
   * drop what names them, and the counters are told again without them.
   */
  peopleRemoved(holderIds: readonly string[]): void {
    if (!holderIds.length) return;
    this.emit('forgotten', { holderIds: [...holderIds] });
    this.emit('counters', this.#book.counters());
  }

  feed(options: { alarmsOnly: boolean; limit: number; before: string | null }): GuardPassView[] {
    return this.#book.feed(options);
  }

  search(query: string, limit: number): PersonFound[] {
    return this.#rollCall.search(query, limit);
  }

  manualOpen(input: {
    direction: Direction;
    reason: ManualOpenReason;
    note: string;
    holderKind: HolderKind | null;
    holderId: string | null;
    operatorId: string | null;
  }): Promise<GuardPassView> {
    return this.#manual.manualOpen(input);
  }

  recordRelayTest(direction: Direction, operatorId: string | null, opened: boolean): GuardPassView {
    return this.#manual.recordRelayTest(direction, operatorId, opened);
  }

  visitorPass(input: { visitorName: string; reason: VisitorReason; note: string; operatorId: string | null }): Promise<GuardPassView> {
    return this.#manual.visitorPass(input);
  }

  addSpareCards(cards: readonly (CanonicalCard & { label: string })[]): void {
    this.#spares.add(cards);
  }

  spareCards(): SpareCardView[] {
    return this.#spares.list();
  }

  bindSpareCard(input: { card: CanonicalCard; holderKind: HolderKind; holderId: string; operatorId: string | null }): {
    pass: GuardPassView;
    validUntil: string;
  } {
    return this.#spares.bind(input);
  }

  returnSpareCard(card: CanonicalCard, cause: 'returned' | 'day_ended' = 'returned', operatorId: string | null = null): GuardPassView {
    return this.#spares.return(card, cause, operatorId);
  }

  returnExpiredSpares(): number {
    return this.#spares.returnExpired();
  }

  emergencyState(): EmergencyState {
    return this.#emergency.state();
  }

  startEmergency(operatorId: string | null): Promise<EmergencyState> {
    return this.#emergency.start(operatorId);
  }

  endEmergency(operatorId: string | null): Promise<EmergencyState> {
    return this.#emergency.end(operatorId);
  }

  insideList(): InsideList {
    return this.#rollCall.insideList();
  }

  exportInside(format: 'csv' | 'html', locale: 'ru' | 'en'): { path: string; fileName: string; mime: string; content: string } {
    return this.#rollCall.exportInside(format, locale);
  }
}
