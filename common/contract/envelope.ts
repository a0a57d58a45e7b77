import { z } from 'zod';

/** Error codes a bridge reply may carry; the renderer translates each through i18n. */
export const BridgeErrorCode = z.enum([
  'invalid_message',
  'unknown_request',
  'invalid_input',
  'invalid_output',
  'not_found',
  'conflict',
  'refused',
  'unavailable',
  'internal',
]);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCode>;

export const BridgeError = z.object({
  code: BridgeErrorCode,
  message: z.string(),
  /** The dotted path of the offending field for invalid_input. */
  field: z.string().optional(),
  /** A domain reason code for refusals (e.g. card_blocked), translated by the renderer. */
  reason: z.string().optional(),
});
export type BridgeError = z.infer<typeof BridgeError>;

/** Renderer → station. */
export const ClientMessage = z.object({
  t: z.literal('req'),
  id: z.number().int().nonnegative(),
  name: z.string().min(1).max(100),
  input: z.unknown(),
});
export type ClientMessage = z.infer<typeof ClientMessage>;

/** Station → renderer. */
export type ServerMessage =
  { t: 'res'; id: number; ok: true; output: unknown } | { t: 'res'; id: number; ok: false; error: BridgeError } | { t: 'evt'; name: string; payload: unknown };

export { BridgeRequestError } from './client.ts';
