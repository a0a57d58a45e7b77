import { z } from 'zod';
import {
  ClientMessage,
  events,
  isRequestName,
  requests,
  type BridgeError,
  type EventName,
  type EventPayload,
  type RequestName,
  type RequestOutput,
  type Requests,
  type ServerMessage,
} from '../../common/contract/index.ts';
import type { Logger } from '../../common/logger.ts';

/** What a handler receives: the input as its schema parsed it. */
export type HandlerInput<N extends RequestName> = z.output<Requests[N]['input']>;
export type Handler<N extends RequestName> = (input: HandlerInput<N>) => RequestOutput<N> | Promise<RequestOutput<N>>;

/** A refusal a person should understand: the renderer translates `reason`. */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: BridgeError['code'];
  readonly reason: string;
  constructor(code: BridgeError['code'], reason: string, message = reason) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

function issuePath(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)';
}

/**
 * The station's side of the bridge: handlers are registered only through `handle`, typed from the
 * contract, and every incoming message is validated before a handler sees it; every reply is
 * validated before it leaves. Transports (MessagePort, WebSocket) only move the bytes.
 */
export class Router {
  readonly #handlers = new Map<string, (input: unknown) => unknown>();
  readonly #subscribers = new Set<(msg: ServerMessage) => void>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  handle<N extends RequestName>(name: N, handler: Handler<N>): void {
    if (this.#handlers.has(name)) throw new Error(`handler for ${name} registered twice`);
    this.#handlers.set(name, handler as (input: unknown) => unknown);
  }

  /** Handles one raw message from a renderer and returns the reply to send back. */
  async dispatch(raw: unknown): Promise<ServerMessage> {
    const msg = ClientMessage.safeParse(raw);
    if (!msg.success) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      this.#log.warn({ issue: issuePath(msg.error) }, 'bridge: malformed message');
      return { t: 'res', id, ok: false, error: { code: 'invalid_message', message: `malformed message: ${issuePath(msg.error)}`, field: issuePath(msg.error) } };
    }
    const { id, name, input } = msg.data;
    const fail = (error: BridgeError): ServerMessage => ({ t: 'res', id, ok: false, error });
    if (!isRequestName(name)) return fail({ code: 'unknown_request', message: `unknown request "${name}"` });
    const handler = this.#handlers.get(name);
    if (!handler) return fail({ code: 'unavailable', message: `"${name}" is not available at this station now` });
    const def = requests[name];
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) {
      const field = issuePath(parsed.error);
      this.#log.warn({ request: name, field }, 'bridge: invalid input');
      return fail({ code: 'invalid_input', message: `invalid ${field}: ${parsed.error.issues[0]?.message ?? ''}`, field });
    }
    try {
      const output = await handler(parsed.data);
      const checked = def.output.safeParse(output);
      if (!checked.success) {
        this.#log.error({ request: name, field: issuePath(checked.error), err: z.prettifyError(checked.error) }, 'bridge: handler output breaks the contract');
        return fail({ code: 'invalid_output', message: `the station produced an invalid reply for "${name}"` });
      }
      return { t: 'res', id, ok: true, output: checked.data };
    } catch (err) {
      if (err instanceof DomainError) return fail({ code: err.code, message: err.message, reason: err.reason });
      if (err instanceof z.ZodError) {
        const field = issuePath(err);
        return fail({ code: 'invalid_input', message: `invalid ${field}: ${err.issues[0]?.message ?? ''}`, field });
      }
      this.#log.error({ request: name, err }, 'bridge: handler failed');
      return fail({ code: 'internal', message: (err as Error).message ?? 'internal error' });
    }
  }

  /** Pushes an event to every connected renderer; the payload is checked against the contract. */
  publish<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const checked = events[name].safeParse(payload);
    if (!checked.success) {
      this.#log.error({ event: name, err: z.prettifyError(checked.error) }, 'bridge: event breaks the contract; not sent');
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
