import { z } from 'zod';
import { UpdateState } from '../update-policy.ts';
import { request } from './define.ts';

/**
 * Auto-update, as the status bar, setup and About views see it. The state lives in the Electron shell
 * (main/updater.ts); `update.getState` plus the `update.state` event mean a late subscriber never misses
 * the first state. Under the browser host there is no updater: the state says `disabled`.
 */
const Empty = z.object({}).strict();

export const updateRequests = {
  'update.getState': request(Empty, UpdateState),
  /** Check the feed now (setup screen). */
  'update.checkNow': request(Empty, UpdateState),
  /** IT confirmed in setup: install the verified download now, whatever the rush hours say. */
  'update.forceInstall': request(
    z.object({ confirm: z.literal(true) }).strict(),
    z.object({ accepted: z.boolean(), reason: z.enum(['not_ready', 'disabled']).nullable() }),
  ),
} as const;

export const updateEvents = {
  'update.state': UpdateState,
} as const;
