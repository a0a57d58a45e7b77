import { z } from 'zod';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Contract, EventNameOf, OutputOf, ParsedInputOf, PayloadOf, RequestNameOf } from './define.ts';
import { ClientMessage, type BridgeError, type ServerMessage } from './envelope.ts';
import type { BridgeContract } from './index.ts';

/** What a handler receives: the input as its schema parsed it. */
export type HandlerInput<C extends Contract, N extends RequestNameOf<C>> = ParsedInputOf<C, N>;
export type Handler<C extends Contract, N extends RequestNameOf<C>> = (input: HandlerInput<C, N>, caller: Caller) => OutputOf<C, N> | Promise<OutputOf<C, N>>;

/**
 * Who sent a request: one window's port or one WebSocket, for as long as it is connected. Credentials
 * opened by a request (IT's setup session) are bound to it, so another window or tab does not share them.
 */
export interface Caller {
  readonly id: string;
}
/** Requests made inside the station process itself (tests, main's own line without a window). */
export const LOCAL_CALLER: Caller = Object.freeze({ id: 'local' });

let callerSeq = 0;
/** A new caller for a connection a transport just accepted. */
export function newCaller(kind: string): Caller {
  return Object.freeze({ id: `${kind}:${++callerSeq}` });
}

/** Checked before the handler of a guarded request; throws a DomainError to refuse it. */
export type RequestGuard<C extends Contract = BridgeContract> = (caller: Caller, name: RequestNameOf<C>) => void | Promise<void>;

function issuePath(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)';
}

/**
 * The serving side of one contract (common/contract/define.ts): the station's side of the bridge, and
 * main's side of the channel to the station process (common/contract/shell.ts). Handlers are registered
 * only through `handle`, typed from the contract, and every incoming message is validated before a
 * handler sees it; every reply is validated before it leaves. Transports (MessagePort, WebSocket, the
 * utility process's pipe) only move the bytes. `label` starts its log lines ("bridge: malformed message").
 */
export class Router<C extends Contract = BridgeContract> {
  readonly #contract: C;
  readonly #label: string;
  readonly #handlers = new Map<string, (input: unknown, caller: Caller) => unknown>();
  readonly #guards = new Map<string, RequestGuard<C>>();
  readonly #disconnectListeners = new Set<(caller: Caller) => void>();
  readonly #subscribers = new Set<(msg: ServerMessage) => void>();
  readonly #log: Logger;

  constructor(contract: C, log: Logger, label = 'bridge') {
    this.#contract = contract;
    this.#log = log;
    this.#label = label;
  }

  handle<N extends RequestNameOf<C>>(name: N, handler: Handler<C, N>): void {
    if (this.#handlers.has(name)) throw new Error(`handler for ${name} registered twice`);
    this.#handlers.set(name, handler as (input: unknown, caller: Caller) => unknown);
  }

  /**
   * Every request named here runs `check` first, whichever file registered its handler and whichever
   * transport it came by; a refusal in `check` means the handler never runs.
   */
  guard(names: readonly RequestNameOf<C>[], check: RequestGuard<C>): void {
    for (const name of names) {
      if (this.#guards.has(name)) throw new Error(`guard for ${name} registered twice`);
      this.#guards.set(name, check);
    }
  }

  /**
   * One operator window's channel, the same for every transport: a caller of its own, the router's
   * events, each message answered in turn. `close` when the window's port or socket is gone.
   */
  connect(kind: string, send: (msg: ServerMessage) => void): { receive(raw: unknown): void; close(): void } {
    const caller = newCaller(kind);
    const unsubscribe = this.subscribe(send);
    return {
      receive: (raw) => {
        this.dispatch(raw, caller)
          .then(send)
          .catch((err: unknown) => this.#log.error({ err }, `${this.#label}: dispatch failed`));
      },
      close: () => {
        unsubscribe();
        this.disconnected(caller);
      },
    };
  }

  /** A transport says a caller is gone (window closed, socket closed). */
  disconnected(caller: Caller): void {
    for (const l of this.#disconnectListeners) l(caller);
  }

  onDisconnect(listener: (caller: Caller) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  /** Handles one raw message from a renderer (or the station process) and returns the reply to send back. */
  async dispatch(raw: unknown, caller: Caller = LOCAL_CALLER): Promise<ServerMessage> {
    const msg = ClientMessage.safeParse(raw);
    if (!msg.success) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      this.#log.warn({ issue: issuePath(msg.error) }, `${this.#label}: malformed message`);
      return {
        t: 'res',
        id,
        ok: false,
        error: { code: 'invalid_message', message: `malformed message: ${issuePath(msg.error)}`, field: issuePath(msg.error) },
      };
    }
    const { id, name, input } = msg.data;
    const fail = (error: BridgeError): ServerMessage => ({ t: 'res', id, ok: false, error });
    if (!Object.hasOwn(this.#contract.requests, name)) return fail({ code: 'unknown_request', message: `unknown request "${name}"` });
    const handler = this.#handlers.get(name);
    if (!handler) return fail({ code: 'unavailable', message: `"${name}" is not available at this station now` });
    const def = this.#contract.requests[name]!;
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) {
      const field = issuePath(parsed.error);
      this.#log.warn({ request: name, field }, `${this.#label}: invalid input`);
      return fail({ code: 'invalid_input', message: `invalid ${field}: ${parsed.error.issues[0]?.message ?? ''}`, field });
    }
    try {
      await this.#guards.get(name)?.(caller, name as RequestNameOf<C>);
      const output = await handler(parsed.data, caller);
      const checked = def.output.safeParse(output);
      if (!checked.success) {
        this.#log.error(
          { request: name, field: issuePath(checked.error), err: z.prettifyError(checked.error) },
          `${this.#label}: handler output breaks the contract`,
        );
        return fail({ code: 'invalid_output', message: `the station produced an invalid reply for "${name}"` });
      }
      return { t: 'res', id, ok: true, output: checked.data };
    } catch (err) {
      if (err instanceof DomainError) return fail({ code: err.code, message: err.message, reason: err.reason });
      if (err instanceof z.ZodError) {
        const field = issuePath(err);
        return fail({ code: 'invalid_input', message: `invalid ${field}: ${err.issues[0]?.message ?? ''}`, field });
      }
      this.#log.error({ request: name, err }, `${this.#label}: handler failed`);
      return fail({ code: 'internal', message: (err as Error).message ?? 'internal error' });
    }
  }

  /** Pushes an event to every connected renderer; the payload is checked against the contract. */
  publish<E extends EventNameOf<C>>(name: E, payload: PayloadOf<C, E>): void {
    const schema = this.#contract.events[name];
    if (!schema) {
      this.#log.error({ event: name }, `${this.#label}: no such event in the contract; not sent`);
      return;
    }
    const checked = schema.safeParse(payload);
    if (!checked.success) {
      this.#log.error({ event: name, err: z.prettifyError(checked.error) }, `${this.#label}: event breaks the contract; not sent`);
      return;
    }
    const msg: ServerMessage = { t: 'evt', name, payload: checked.data };
    for (const s of this.#subscribers) s(msg);
  }

  subscribe(send: (msg: ServerMessage) => void): () => void {
    this.#subscribers.add(send);
    return () => this.#subscribers.delete(send);
  }
}
