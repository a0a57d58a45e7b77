import { z } from 'zod';
import { ServerUrl } from '../transport.ts';
import { AttentionItem, SyncStatus } from '../sync-api.ts';
import { request } from './define.ts';

/**
 * Why an enrollment did not work, as a code the setup screen translates:
 * bad_code (wrong, used or expired code), unreachable (no answer at that address), timeout,
 * server_error (the backend failed), bad_reply (the address is not a station backend),
 * rate_limited, store_error (the station could not keep the token).
 */
export const EnrollFailure = z.enum(['bad_code', 'unreachable', 'timeout', 'server_error', 'bad_reply', 'rate_limited', 'store_error']);
export type EnrollFailure = z.infer<typeof EnrollFailure>;

export const EnrollResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: SyncStatus }),
  z.object({ ok: z.literal(false), reason: EnrollFailure, detail: z.string() }),
]);
export type EnrollResult = z.infer<typeof EnrollResult>;

const Empty = z.object({}).strict();
/** Who decided is not asked: it is the IT session's holder (a staff id, or `setup_pin`). */
const HeldDecision = z.object({ backendId: z.string().min(1).max(100) }).strict();

export const syncRequests = {
  /** Backend URL + one-time code from the school's IT → token kept by the station; a first sync follows. */
  'sync.enroll': request(z.object({ backendUrl: ServerUrl, code: z.string().trim().min(1).max(64) }).strict(), EnrollResult),
  /** Push and pull now; answers with the status after that cycle. */
  'sync.now': request(Empty, SyncStatus),
  'sync.status': request(Empty, SyncStatus),
  /** The "needs attention" list: anomalies (e.g. overdraft) and invalid events the backend refused, newest first. */
  'sync.attention': request(z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(), z.array(AttentionItem)),
  /** A person has seen and handled one item: it leaves the list (the event itself stays in the store). */
  'sync.clearAttention': request(z.object({ id: z.string().min(1) }).strict(), z.object({ ok: z.literal(true) })),
  /**
   * IT's decision on the events held for a previous backend: send them to the backend of now (an event
   * records who decided) …
   */
  'sync.releaseHeld': request(HeldDecision, z.object({ released: z.number().int().nonnegative() })),
  /** … or keep them aside: exported to a file with the reason, never sent. */
  'sync.setAsideHeld': request(HeldDecision, z.object({ keptAside: z.number().int().nonnegative(), file: z.string().nullable() })),
} as const;

export const syncEvents = {} as const;
