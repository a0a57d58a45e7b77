import type { z } from 'zod';
import {
  MAIN_TO_STATION_KINDS,
  shellCallReply,
  shellCallRequest,
  shellCalls,
  shellKind,
  STATION_TO_MAIN_KINDS,
  type ShellCallInput,
  type ShellCallName,
  type ShellCallOutput,
  type ShellCalls,
} from './shell.ts';

/**
 * The two halves of a call over the main ↔ station side channel (common/contract/shell.ts): the
 * station's `shellRequester` (correlation id, timeout, the reply parsed) and main's `serveShellCall`
 * (the request parsed, the handler run, its output checked, one reply). Neither imports electron or
 * Node: the station process, main and a plain-Node test with a MessageChannel all run them as they are.
 */

/** The station's end: Electron's utilityProcess parentPort (a message event carries `data`). */
export interface ShellParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Main's end: Electron's UtilityProcess (a message arrives as itself). */
export interface ShellChild {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

/** Main did not answer in time. */
export class ShellCallTimeout extends Error {
  override name = 'ShellCallTimeout';
}
/** Main answered that it could not do it; the message is main's. */
export class ShellCallFailed extends Error {
  override name = 'ShellCallFailed';
}
/** The requester was closed (the station is stopping) before main answered. */
export class ShellClosed extends Error {
  override name = 'ShellClosed';
}
/** Main's answer breaks the contract; it was refused. */
export class ShellReplyMalformed extends Error {
  override name = 'ShellReplyMalformed';
}

export interface ShellCallOptions {
  timeoutMs: number;
  /** Names the call in the errors and the log: "the shell did not answer <what> within 10000 ms". */
  what: string;
}

export interface ShellRequester {
  call<K extends ShellCallName>(kind: K, input: ShellCallInput<K>, options: ShellCallOptions): Promise<ShellCallOutput<K>>;
  /** Every call still waiting fails with `message` (the station is stopping). */
  close(message: string): void;
}

type Log = (msg: string) => void;

function issuePath(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
}

const replyKinds = new Map<string, ShellCallName>((Object.keys(shellCalls) as ShellCallName[]).map((k) => [shellCalls[k].reply, k]));

/**
 * One requester per parent port and set of call kinds: ids are counted here, so two requesters of the
 * same kind on one port would mistake each other's replies (station/station-process.ts makes one for
 * the vault and the keys; the update relay its own).
 */
export function shellRequester(parent: ShellParentPort, log: Log): ShellRequester {
  let nextId = 1;
  let closed: string | null = null;
  /** Replies of kinds this requester never asked for belong to another requester on the port. */
  const asked = new Set<ShellCallName>();
  const pending = new Map<
    number,
    { kind: ShellCallName; what: string; ok: (v: unknown) => void; fail: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();

  parent.on('message', (e) => {
    const kindOfReply = replyKinds.get(shellKind(e.data) ?? '');
    if (!kindOfReply || !asked.has(kindOfReply)) return; // not a reply to us: another part of the station serves it
    const rawId = (e.data as { id?: unknown }).id;
    const p = typeof rawId === 'number' ? pending.get(rawId) : undefined;
    if (!p || p.kind !== kindOfReply) {
      log(`shell: a ${shellCalls[kindOfReply].reply} for no waiting call (late, after its timeout?); dropped`);
      return;
    }
    pending.delete(rawId as number);
    clearTimeout(p.timer);
    const reply = shellCallReply(kindOfReply).safeParse(e.data);
    if (!reply.success) {
      log(`shell: the reply to ${p.what} breaks the contract (${issuePath(reply.error)}); refused`);
      p.fail(new ShellReplyMalformed(`the shell's reply to ${p.what} breaks the contract (${issuePath(reply.error)})`));
    } else if (reply.data.ok) p.ok(reply.data.output);
    else p.fail(new ShellCallFailed(reply.data.message));
  });

  return {
    call(kind, input, { timeoutMs, what }) {
      if (closed !== null) return Promise.reject(new ShellClosed(closed));
      const request = shellCallRequest(kind).safeParse({ ...input, type: kind, id: nextId++ });
      // The station's own bug: said before anything is sent, so main never sees it.
      if (!request.success) return Promise.reject(new Error(`the station made a ${kind} call that breaks the contract (${issuePath(request.error)})`));
      const id = request.data.id;
      asked.add(kind);
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          log(`shell: no answer to ${what} within ${timeoutMs} ms`);
          fail(new ShellCallTimeout(`the shell did not answer ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        (timer as { unref?: () => void }).unref?.();
        pending.set(id, { kind, what, ok: ok as (v: unknown) => void, fail, timer });
        parent.postMessage(request.data);
      });
    },
    close(message) {
      closed = message;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.fail(new ShellClosed(message));
      }
      pending.clear();
    },
  };
}

export type ShellCallArgs<K extends ShellCallName> = z.output<ShellCalls[K]['input']>;

/**
 * Main answers one kind of call: the request is parsed (a malformed one is answered with an error when
 * it has an id, and logged), the handler's output is checked before it leaves, and a handler that
 * throws is answered with its message. Nothing the station sends can throw here.
 */
export function serveShellCall<K extends ShellCallName>(
  child: ShellChild,
  kind: K,
  handler: (input: ShellCallArgs<K>) => ShellCallOutput<K> | Promise<ShellCallOutput<K>>,
  log: Log,
): void {
  const reply = shellCalls[kind].reply;
  child.on('message', (raw) => {
    if (shellKind(raw) !== kind) return;
    const request = shellCallRequest(kind).safeParse(raw);
    if (!request.success) {
      const id = (raw as { id?: unknown }).id;
      log(`shell: a ${kind} request breaks the contract (${issuePath(request.error)}); refused`);
      if (typeof id === 'number' && Number.isInteger(id) && id > 0)
        child.postMessage({ type: reply, id, ok: false, message: `malformed ${kind} request (${issuePath(request.error)})` });
      return;
    }
    const { id } = request.data;
    const output = shellCalls[kind].output as ShellCalls[K]['output'];
    Promise.resolve()
      .then(() => handler(request.data as ShellCallArgs<K>))
      .then(
        (result) => {
          const checked = output.safeParse(result);
          if (checked.success) child.postMessage({ type: reply, id, ok: true, output: checked.data });
          else {
            log(`shell: main's answer to a ${kind} call breaks the contract (${issuePath(checked.error)}); not sent`);
            child.postMessage({ type: reply, id, ok: false, message: `main produced an invalid answer to ${kind}` });
          }
        },
        (err: unknown) => child.postMessage({ type: reply, id, ok: false, message: err instanceof Error ? err.message : String(err) }),
      );
  });
}

/**
 * Logs, once per message, what arrives on the channel with a kind neither side knows (a message
 * without a `type` included); the parts that serve known kinds each parse their own.
 */
export function logUnknownShellKinds(side: 'station' | 'main', subscribe: (listener: (data: unknown) => void) => void, log: Log): void {
  const known = side === 'station' ? MAIN_TO_STATION_KINDS : STATION_TO_MAIN_KINDS;
  subscribe((data) => {
    const kind = shellKind(data);
    if (kind === null || !known.includes(kind))
      log(`shell: a message of unknown kind ${kind === null ? '(none)' : JSON.stringify(kind.slice(0, 40))}; dropped`);
  });
}
