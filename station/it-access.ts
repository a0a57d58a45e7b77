import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ItPerson, ItSession, ItStatus, RequestName } from '../common/contract/index.ts';
import type { StationEventPayload } from '../common/events.ts';
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { type Caller, type Router } from '../common/contract/router.ts';
import type { ItRefusal } from '../common/contract/refusals.ts';
import { DomainError } from '../common/errors.ts';
import { hashPin, verifyPinAsync } from '../core/pin.ts';
import type { PinSeal } from '../core/pin-seal.ts';
import { parseRoles, type PinAttempts, type StaffPins } from '../core/staff-pin.ts';
import type { Store } from '../core/store/index.ts';

/** Who may open setup with their own PIN. */
export const IT_ROLES = ['it', 'supervisor'] as const;
/** An IT session ends after this long without a guarded request (or on leaving setup). */
export const IT_IDLE_MS = 5 * 60_000;
/** The requests only an IT session may make. */
export const IT_GUARDED: readonly RequestName[] = [
  'settings.update',
  'sync.enroll',
  'update.checkNow',
  'update.forceInstall',
  'hardware.testRelay',
  'station.startEmptyAfterFault',
  'sync.releaseHeld',
  'sync.setAsideHeld',
];

const SETUP_PIN_OWNER = 'setup-pin';
const SESSION_REQUIRED =
  'нужен ПИН-код ИТ-специалиста или завуча: откройте настройку и введите его / an IT or supervisor PIN is needed: open setup and type it';

interface Session {
  staffId: string | null;
  fullName: string | null;
  via: 'staff_pin' | 'setup_pin';
  idleUntil: number;
}

/** Who did it, as an `it_change` event names them. */
export interface ItOperator {
  operatorId: string | null;
  via: 'staff_pin' | 'setup_pin';
}

export interface ItAccessOptions {
  router: Router;
  store: () => Store | null;
  /** The station's PIN check over the current store's roster (null while the store is in a fault). */
  staffPins: () => StaffPins | null;
  /** The station's one count of wrong PINs (the setup PIN is counted there too). */
  attempts: PinAttempts;
  seal: PinSeal;
  /** The setup PIN's file (mode 600, beside the database, so it works while the database is damaged). */
  setupPinPath: string;
  clock: Clock;
  log: Logger;
  idleMs?: number;
}

/**
 * IT's sessions, one per window or tab (Caller), and the check every guarded request passes through.
 * A session is opened with the PIN of an `it` or `supervisor` staff member, or with the station's setup
 * PIN, and is the only way to change the station; each change made is an `it_change` event naming who.
 */
export class ItAccess {
  readonly #o: ItAccessOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;

  constructor(options: ItAccessOptions) {
    this.#o = options;
    this.#idleMs = options.idleMs ?? IT_IDLE_MS;
    const { router } = options;
    router.guard(IT_GUARDED, (caller, name) => {
      this.require(caller, name);
    });
    router.onDisconnect((caller) => {
      if (this.#sessions.delete(caller.id)) this.#o.log.info({ caller: caller.id }, 'it: session ended (window closed)');
    });
    router.handle('it.status', (_input, caller) => this.status(caller));
    router.handle('it.signIn', ({ staffId, pin }, caller) => this.signIn(caller, staffId, pin));
    router.handle('it.signOut', (_input, caller) => {
      if (this.#sessions.delete(caller.id)) this.#o.log.info({ caller: caller.id }, 'it: session ended (left setup)');
      return { ok: true as const };
    });
    router.handle('it.setSetupPin', ({ pin }, caller) => this.setSetupPin(caller, pin));
  }

  /** Whether any window has an IT session open: setup is open, and a tap is a test, not a pass or a sale. */
  anyOpen(): boolean {
    const now = this.#o.clock.now();
    for (const [id, s] of this.#sessions) {
      if (s.idleUntil > now) return true;
      this.#sessions.delete(id);
    }
    return false;
  }

  /** The operator of a guarded request, or a refusal; each guarded request keeps the session alive. */
  require(caller: Caller, name?: string): ItOperator {
    const s = this.#live(caller);
    if (!s) {
      this.#o.log.warn({ caller: caller.id, request: name ?? null }, 'it: refused: no IT session');
      throw new DomainError('refused', 'it_session_required', SESSION_REQUIRED);
    }
    s.idleUntil = this.#o.clock.now() + this.#idleMs;
    return { operatorId: s.staffId, via: s.via };
  }

  /** Records one change IT made (outbox `it_change`); with no store (a damaged database) only the log has it. */
  record(
    operator: ItOperator,
    action: StationEventPayload<'it_change'>['action'],
    changes: StationEventPayload<'it_change'>['changes'],
    result: string | null = null,
  ): void {
    this.#o.log.info({ operatorId: operator.operatorId, via: operator.via, action, settings: changes.map((c) => c.setting), result }, 'it: change');
    const store = this.#o.store();
    if (!store) return;
    try {
      store.outbox.append('it_change', { ...operator, action, changes, result });
    } catch (err) {
      this.#o.log.error({ err, action }, 'it: could not record the change');
    }
  }

  status(caller: Caller): ItStatus {
    const s = this.#live(caller);
    return {
      session: s ? this.#view(s) : null,
      setupPinSet: this.#setupPinHash() !== null,
      setupPinOpen: this.#setupPinOpen(),
      people: this.#people(),
    };
  }

  async signIn(caller: Caller, staffId: string | null, pin: string): Promise<ItSession> {
    let session: Session;
    if (staffId === null) {
      const hash = this.#setupPinHash();
      if (!hash) throw new DomainError('refused', 'setup_pin_missing', 'no setup PIN is set at this station');
      const r = await this.#o.attempts.attempt('setup-pin', { setupPin: true }, async () =>
        (await verifyPinAsync(pin, hash)) ? { ok: true as const, value: null } : { ok: false as const, reason: 'pin_wrong' as const },
      );
      if (!r.ok) throw this.#refusal(r.reason, r.retryAfterMs);
      session = { staffId: null, fullName: null, via: 'setup_pin', idleUntil: 0 };
    } else {
      const pins = this.#o.staffPins();
      if (!pins) throw new DomainError('unavailable', 'store_unavailable', 'the station database is not available: use the setup PIN');
      const r = await pins.check(pin, IT_ROLES, staffId);
      if (!r.ok) throw this.#refusal(r.reason, r.retryAfterMs);
      session = { staffId: r.staff.id, fullName: r.staff.full_name, via: 'staff_pin', idleUntil: 0 };
    }
    session.idleUntil = this.#o.clock.now() + this.#idleMs;
    this.#sessions.set(caller.id, session);
    this.#o.log.info({ caller: caller.id, operatorId: session.staffId, via: session.via }, 'it: session opened');
    return this.#view(session);
  }

  async setSetupPin(caller: Caller, pin: string): Promise<ItSession> {
    const had = this.#setupPinHash() !== null;
    let operator: ItOperator;
    if (this.#live(caller)) operator = this.require(caller, 'it.setSetupPin');
    else if (!had && this.#setupPinOpen()) operator = { operatorId: null, via: 'setup_pin' };
    else if (had) throw new DomainError('refused', 'setup_pin_set', 'a setup PIN is set: open setup with it (or an IT PIN) to change it');
    else throw new DomainError('refused', 'it_session_required', SESSION_REQUIRED);
    const sealed = this.#o.seal.seal(hashPin(pin), SETUP_PIN_OWNER);
    const tmp = `${this.#o.setupPinPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ sealed })}\n`, { mode: 0o600 });
    renameSync(tmp, this.#o.setupPinPath);
    if (process.platform !== 'win32') chmodSync(this.#o.setupPinPath, 0o600);
    // Never the PIN: only that it was set or changed, and by whom.
    this.record(operator, 'setup_pin', [{ setting: 'setupPin', from: had ? 'set' : null, to: had ? 'changed' : 'set' }]);
    const existing = this.#sessions.get(caller.id);
    if (existing && existing.idleUntil > this.#o.clock.now()) return this.#view(existing);
    const session: Session = { staffId: null, fullName: null, via: 'setup_pin', idleUntil: this.#o.clock.now() + this.#idleMs };
    this.#sessions.set(caller.id, session);
    this.#o.log.info({ caller: caller.id, via: 'setup_pin' }, 'it: setup PIN set; session opened');
    return this.#view(session);
  }

  /** Whether a setup PIN is set (enrollment waits for one, so the station never depends on a roster alone). */
  setupPinSet(): boolean {
    return this.#setupPinHash() !== null;
  }

  #live(caller: Caller): Session | null {
    const s = this.#sessions.get(caller.id);
    if (!s) return null;
    if (s.idleUntil <= this.#o.clock.now()) {
      this.#sessions.delete(caller.id);
      this.#o.log.info({ caller: caller.id }, 'it: session ended (idle)');
      return null;
    }
    return s;
  }

  #view(s: Session): ItSession {
    return { staffId: s.staffId, fullName: s.fullName, via: s.via, idleUntil: new Date(s.idleUntil).toISOString() };
  }

  #refusal(reason: ItRefusal, retryAfterMs?: number): DomainError {
    const words: Partial<Record<ItRefusal, string>> = {
      pin_wrong: 'неверный ПИН-код / wrong PIN',
      pin_locked: 'слишком много неверных ПИН-кодов, ввод закрыт / too many wrong PINs, PIN entry is closed',
      pin_wait: 'подождите после неверного ПИН-кода / wait after a wrong PIN',
      role_missing: 'у этого сотрудника нет прав ИТ / this staff member has no IT rights',
    };
    return new DomainError('refused', reason, `${words[reason] ?? reason}${retryAfterMs ? ` (${Math.ceil(retryAfterMs / 1000)} s)` : ''}`);
  }

  #setupPinHash(): string | null {
    let text: string;
    try {
      text = readFileSync(this.#o.setupPinPath, 'utf8');
    } catch {
      return null;
    }
    try {
      const { sealed } = JSON.parse(text) as { sealed?: string };
      const hash = this.#o.seal.open(sealed, SETUP_PIN_OWNER);
      if (!hash) this.#o.log.error('it: the setup PIN file does not open with this station key (copied from another station, or the key was lost)');
      return hash;
    } catch {
      this.#o.log.error('it: the setup PIN file is damaged');
      return null;
    }
  }

  /**
   * First start: the setup PIN may be set without a session while nobody else could open setup, that
   * is, no setup PIN exists and the roster has nobody with IT rights and a PIN (the embedded demo
   * school's supervisor, whose PIN is public, does not count), or the database cannot be read.
   */
  #setupPinOpen(): boolean {
    if (this.#setupPinHash() !== null) return false;
    const store = this.#o.store();
    if (!store) return true;
    if (!store.settings.get().backendUrl) return true;
    return this.#people().length === 0;
  }

  #people(): ItPerson[] {
    const store = this.#o.store();
    if (!store) return [];
    return store.roster
      .activeStaff()
      .flatMap((s) =>
        s.pin_hash && parseRoles(s.roles).some((r) => (IT_ROLES as readonly string[]).includes(r))
          ? [{ staffId: s.id, fullName: s.full_name, position: s.position }]
          : [],
      );
  }
}

/** What station/update-relay.ts calls after IT's update action: the record of who checked or installed. */
export function updateAudit(it: ItAccess): (name: 'update.checkNow' | 'update.forceInstall', caller: Caller, result: string) => void {
  return (name, caller, result) => it.record(it.require(caller), name === 'update.checkNow' ? 'update_check' : 'update_install', [], result);
}

/** One setting's change as an `it_change` event carries it: values as JSON text, no credentials in URLs, bounded. */
export function settingChanges(before: Record<string, unknown>, after: Record<string, unknown>): StationEventPayload<'it_change'>['changes'] {
  const text = (v: unknown): string | null => {
    if (v === undefined || v === null) return null;
    const s = JSON.stringify(v).replace(/(\/\/)[^/@\s"]*@/g, '$1***@');
    return s.length > 2000 ? `${s.slice(0, 1997)}...` : s;
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: StationEventPayload<'it_change'>['changes'] = [];
  for (const k of keys) {
    const from = text(before[k]);
    const to = text(after[k]);
    if (from !== to) out.push({ setting: k, from, to });
  }
  return out;
}
