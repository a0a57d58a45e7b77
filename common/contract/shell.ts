import { z } from 'zod';
import { StationCredentials } from '../credentials.ts';
import { UpdateState } from '../update-policy.ts';
import { updateRequests } from './update.ts';

/**
 * The side channel between Electron's main process and the station process (its utilityProcess
 * parent port), declared once like the bridge: every message either side may send, as a zod schema
 * per kind, and the calls the station makes of main with their replies. Both sides parse what they
 * receive with these schemas (common/contract/shell-link.ts does it for the calls); a message that
 * breaks them is logged and dropped, or answered with an error, never thrown. Under the browser host
 * the station is a forked Node child and this channel does not exist.
 *
 * Window ports travel beside `connect` / `customer` (the message event's `ports`), not in the data.
 */

const WindowId = z.number().int().nonnegative();

/** main → station: a MessagePort for one of main's windows (0: main's own line, main/station-link.ts), served as the bridge. */
export const ShellConnect = z.object({ type: z.literal('connect'), windowId: WindowId });
/** main → station: the customer display's port, served as the customer channel (its projection only). */
export const ShellCustomer = z.object({ type: z.literal('customer'), windowId: WindowId });
/** main → station: the updater's state, on attach and on every change (station/update-relay.ts relays it to the windows). */
export const ShellUpdateState = z.object({ type: z.literal('update.state'), state: UpdateState });
/** station → main: the station serves its ports. */
export const ShellReady = z.object({ type: z.literal('ready'), dataDir: z.string() });

/** A call's correlation id: positive integers, counted by the caller (shell-link.ts). */
export const ShellCallId = z.number().int().positive();

const KeyName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'not a key name');
export const UPDATE_CALL_NAMES = ['update.checkNow', 'update.forceInstall'] as const;

/**
 * What the station asks of main: the request's `type`, the fields beside `type` and `id`, the reply's
 * `type`, and what a successful reply carries as `output`. A failed reply carries `message` instead.
 */
export const shellCalls = {
  /** The backend token, kept by main with safeStorage (main/token-vault.ts, station/remote-token-vault.ts). */
  vault: {
    reply: 'vault-reply',
    input: z.discriminatedUnion('op', [
      z.object({ op: z.literal('load') }),
      z.object({ op: z.literal('save'), credentials: StationCredentials }),
      z.object({ op: z.literal('clear') }),
    ]),
    /** `credentials` only for load: null when main has none (or cannot read its file). */
    output: z.object({ credentials: StationCredentials.nullable().optional() }),
  },
  /** One named data key, 32 bytes as hex (main/data-keys.ts, station/remote-keys.ts). */
  key: {
    reply: 'key-reply',
    input: z.object({ name: KeyName }),
    output: z.object({ key: z.string().regex(/^[0-9a-f]{64}$/, 'not a 32-byte key in hex') }),
  },
  /**
   * IT's update actions forwarded to the updater (main/update-wiring.ts, station/update-relay.ts).
   * The output is either request's bridge output; the router checks it against the one asked for.
   */
  'update.call': {
    reply: 'update.reply',
    input: z.object({ name: z.enum(UPDATE_CALL_NAMES) }),
    output: z.union([updateRequests['update.checkNow'].output, updateRequests['update.forceInstall'].output]),
  },
} as const;

export type ShellCalls = typeof shellCalls;
export type ShellCallName = keyof ShellCalls;
export type ShellReplyName = ShellCalls[ShellCallName]['reply'];
export type ShellCallInput<K extends ShellCallName> = z.input<ShellCalls[K]['input']>;
export type ShellCallOutput<K extends ShellCallName> = z.output<ShellCalls[K]['output']>;

/** The request on the wire: `{ type, id, ...input }`. */
export function shellCallRequest<K extends ShellCallName>(kind: K) {
  return z.object({ type: z.literal(kind), id: ShellCallId }).and(shellCalls[kind].input as ShellCalls[K]['input']);
}

/** The reply on the wire: `{ type: reply, id, ok: true, output }` or `{ type: reply, id, ok: false, message }`. */
export function shellCallReply<K extends ShellCallName>(kind: K) {
  const type = z.literal(shellCalls[kind].reply as ShellCalls[K]['reply']);
  return z.discriminatedUnion('ok', [
    z.object({ type, id: ShellCallId, ok: z.literal(true), output: shellCalls[kind].output as ShellCalls[K]['output'] }),
    z.object({ type, id: ShellCallId, ok: z.literal(false), message: z.string() }),
  ]);
}

export type ShellCallRequest<K extends ShellCallName> = z.output<ReturnType<typeof shellCallRequest<K>>>;
export type ShellCallReply<K extends ShellCallName> = z.output<ReturnType<typeof shellCallReply<K>>>;

const callNames = Object.keys(shellCalls) as ShellCallName[];
const replyNames = callNames.map((k) => shellCalls[k].reply);

/** Every kind main may send the station, by `type` (the replies included). */
export const MAIN_TO_STATION_KINDS: readonly string[] = ['connect', 'customer', 'update.state', ...replyNames];
/** Every kind the station may send main, by `type` (the calls included). */
export const STATION_TO_MAIN_KINDS: readonly string[] = ['ready', ...callNames];

export type ShellConnect = z.infer<typeof ShellConnect>;
export type ShellCustomer = z.infer<typeof ShellCustomer>;
export type ShellUpdateState = z.infer<typeof ShellUpdateState>;
export type ShellReady = z.infer<typeof ShellReady>;

/** The `type` of a message off the channel, or null when it has none (it is then nobody's and is logged). */
export function shellKind(raw: unknown): string | null {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : null;
}
