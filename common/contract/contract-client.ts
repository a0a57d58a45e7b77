import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { BridgeRequestError, createBridgeClient, RequestTimedOut, type RequestOptions } from './client.ts';
import type { Contract, EventNameOf, InputOf, OutputOf, PayloadOf, RequestNameOf } from './define.ts';
import { BridgeError, type ClientMessage, type ServerMessage } from './envelope.ts';

/**
 * The asking side of a contract for a process that trusts nothing it receives: createBridgeClient's
 * ids, timeouts and close (client.ts, which the sandboxed preload bundles and so carries no zod), with
 * the contract's schemas on both sides of it. A request that breaks its input schema is refused before
 * it is sent (the asker's own bug); an answer, an event or a message that breaks the contract is logged
 * and refused, never thrown from `receive`. The station process asks main through one of these
 * (common/contract/shell-channel.ts).
 */
export interface ContractClient<C extends Contract> {
  request<N extends RequestNameOf<C>>(name: N, input: InputOf<C, N>, options?: RequestOptions): Promise<OutputOf<C, N>>;
  on<E extends EventNameOf<C>>(name: E, listener: (payload: PayloadOf<C, E>) => void): () => void;
  /** Feed every message the serving side sends, as it came off the transport. */
  receive(raw: unknown): void;
  /** Every request still waiting, and every later one, fails with LineClosed carrying `message`. */
  close(message: string): void;
}

/** The serving side's messages (envelope.ts), as the asking side checks them. */
const ServerMessageSchema = z.discriminatedUnion('t', [
  z.discriminatedUnion('ok', [
    z.object({ t: z.literal('res'), id: z.number().int(), ok: z.literal(true), output: z.unknown().nonoptional() }),
    z.object({ t: z.literal('res'), id: z.number().int(), ok: z.literal(false), error: BridgeError }),
  ]),
  z.object({ t: z.literal('evt'), name: z.string(), payload: z.unknown() }),
]);

function issuePath(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : whole;
}

/** `label` starts the log lines ("shell: the answer to "key" breaks the contract (key); refused"). */
export function contractClient<C extends Contract>(contract: C, send: (message: ClientMessage) => void, log: Logger, label: string): ContractClient<C> {
  /** The name of each request still waiting, by id: a refusal of a broken answer names what it answered. */
  const waiting = new Map<number, string>();
  let lastId = 0;
  const core = createBridgeClient((message) => {
    lastId = message.id;
    waiting.set(message.id, message.name);
    send(message);
  });
  return {
    async request(name, input, options) {
      const def = contract.requests[name]!;
      const checked = def.input.safeParse(input ?? {});
      if (!checked.success)
        throw new BridgeRequestError({ code: 'invalid_input', message: `a ${name} request that breaks the contract (${issuePath(checked.error, 'input')})` });
      lastId = -1;
      const answer = core.request(name, input ?? {}, options);
      const id = lastId; // the core sends at once, or not at all (closed): then -1
      try {
        const raw = await answer;
        const output = def.output.safeParse(raw);
        if (output.success) return output.data as OutputOf<C, typeof name>;
        const field = issuePath(output.error, 'output');
        log.warn({ request: name, field }, `${label}: the answer to "${name}" breaks the contract; refused`);
        throw new BridgeRequestError({ code: 'invalid_output', message: `the answer to "${name}" breaks the contract (${field})`, field });
      } catch (err) {
        if (err instanceof RequestTimedOut) log.warn({ request: name }, `${label}: ${err.message}`);
        throw err;
      } finally {
        waiting.delete(id);
      }
    },
    on(name, listener) {
      const schema = contract.events[name]!;
      return core.on(name, (payload) => {
        const checked = schema.safeParse(payload);
        if (checked.success) listener(checked.data as PayloadOf<C, typeof name>);
        else log.warn({ event: name, field: issuePath(checked.error, 'payload') }, `${label}: a ${name} event breaks the contract; dropped`);
      });
    },
    receive(raw) {
      const msg = ServerMessageSchema.safeParse(raw);
      if (!msg.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        const field = issuePath(msg.error, 'message');
        const name = typeof id === 'number' ? waiting.get(id) : undefined;
        log.warn({ field, request: name ?? null }, `${label}: a message that breaks the contract; refused`);
        // It still ends its request, if one waits for it: with the refusal, not with a wait until the timeout.
        if (typeof id === 'number' && name !== undefined)
          core.receive({
            t: 'res',
            id,
            ok: false,
            error: { code: 'invalid_output', message: `the answer to "${name}" breaks the contract (${field})`, field },
          });
        return;
      }
      const data = msg.data as ServerMessage;
      if (data.t === 'evt' && !Object.hasOwn(contract.events, data.name)) {
        log.warn({ event: data.name.slice(0, 40) }, `${label}: an event this contract does not have; dropped`);
        return;
      }
      if (!core.receive(data))
        log.warn({ id: data.t === 'res' ? data.id : null }, `${label}: an answer no request waits for (late, after its timeout?); dropped`);
    },
    close(message) {
      core.close({ code: 'unavailable', message });
    },
  };
}
