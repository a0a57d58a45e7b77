import { z } from 'zod';
import { StationCredentials } from '../credentials.ts';
import { UpdateState } from '../update-policy.ts';
import { request } from './define.ts';
import { updateRequests } from './update.ts';

/**
 * The side channel between Electron's main process and the station process (its utilityProcess
 * parent port), declared once like the bridge. Two things share that port:
 *
 * - The shell contract (`shellContract`): what the station asks of main, and the event main pushes.
 *   Main serves it with a Router (common/contract/router.ts), the station asks through one
 *   ContractClient (common/contract/contract-client.ts); each message travels wrapped as
 *   `{ type: 'shell', message }` with the bridge's envelope inside (common/contract/shell-channel.ts).
 * - The port hand-offs (`connect`, `customer`): transport, like a WebSocket being accepted, not
 *   requests. Each carries a window's MessagePort beside its data (the message event's `ports`), and
 *   the station serves that port as the bridge (core/bridge/port-transport.ts).
 *
 * `type` tells them apart; a message of any other kind is logged and dropped by whichever side gets it.
 * Under the browser host the station is a forked Node child and this channel does not exist.
 */

const WindowId = z.number().int().nonnegative();

/** main → station: a MessagePort for one of main's windows (0: main's own line, main/station-link.ts), served as the bridge. */
export const ShellConnect = z.object({ type: z.literal('connect'), windowId: WindowId });
/** main → station: the customer display's port, served as the customer channel (its projection only). */
export const ShellCustomer = z.object({ type: z.literal('customer'), windowId: WindowId });
/** Either way: one message of the shell contract, the bridge's envelope inside. */
export const SHELL_MESSAGE = 'shell';

const KeyName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'not a key name');
const Nothing = z.object({}).strict();

/** What the station asks of main (main serves it), and what main pushes to the station. */
export const shellContract = {
  requests: {
    /** The backend token, kept by main with safeStorage (main/token-vault.ts, station/remote-token-vault.ts). */
    vault: request(
      z.discriminatedUnion('op', [
        z.object({ op: z.literal('load') }),
        z.object({ op: z.literal('save'), credentials: StationCredentials }),
        z.object({ op: z.literal('clear') }),
      ]),
      /** `credentials` only for load: null when main has none (or cannot read its file). */
      z.object({ credentials: StationCredentials.nullable().optional() }),
    ),
    /** One named data key, 32 bytes as hex (main/data-keys.ts, station/remote-keys.ts). */
    key: request(z.object({ name: KeyName }), z.object({ key: z.string().regex(/^[0-9a-f]{64}$/, 'not a 32-byte key in hex') })),
    /**
     * The updater's state and IT's update actions, as the bridge declares them (main/update-wiring.ts
     * answers; station/update-relay.ts forwards the windows' requests).
     */
    'update.getState': updateRequests['update.getState'],
    'update.checkNow': updateRequests['update.checkNow'],
    'update.forceInstall': updateRequests['update.forceInstall'],
    /** The station serves its ports. */
    ready: request(z.object({ dataDir: z.string() }), Nothing),
  },
  events: {
    /** The updater's state on every change (station/update-relay.ts relays it to the windows). */
    'update.state': UpdateState,
  },
} as const;

export type ShellContract = typeof shellContract;

/** Every kind main may send the station, by `type`. */
export const MAIN_TO_STATION_KINDS: readonly string[] = ['connect', 'customer', SHELL_MESSAGE];
/** Every kind the station may send main, by `type`. */
export const STATION_TO_MAIN_KINDS: readonly string[] = [SHELL_MESSAGE];

export type ShellConnect = z.infer<typeof ShellConnect>;
export type ShellCustomer = z.infer<typeof ShellCustomer>;

/** The `type` of a message off the channel, or null when it has none (it is then nobody's and is logged). */
export function shellKind(raw: unknown): string | null {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : null;
}
