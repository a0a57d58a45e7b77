import { z } from 'zod';
import { CARD_FORMATS } from './card-id.ts';
import { Technology, Uid, UtcInstant } from './domain.ts';

/** What a reader is for at this station. */
export const ReaderRole = z.enum(['entry', 'exit', 'cashier', 'none']);
export type ReaderRole = z.infer<typeof ReaderRole>;

const base = {
  id: z.string().min(1).max(64),
  role: ReaderRole,
  label: z.string().max(80).default(''),
};

export const ReaderConfig = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('simulated') }),
  z.object({ ...base, kind: z.literal('pcsc'), readerName: z.string().min(1) }),
  z.object({
    ...base,
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    frame: z.enum(['text', 'binary']).default('text'),
    format: z.enum(CARD_FORMATS).default('hex'),
    technology: Technology.default('em4100'),
  }),
  z.object({
    ...base,
    kind: z.literal('wedge'),
    format: z.enum(CARD_FORMATS).default('dec10'),
    technology: Technology.default('em4100'),
    maxGapMs: z.number().int().min(5).max(100).default(25),
  }),
]);
export type ReaderConfig = z.infer<typeof ReaderConfig>;
export type ReaderKind = ReaderConfig['kind'];

export const ReaderState = z.enum(['connecting', 'ready', 'error', 'disconnected', 'busy']);
export const ReaderStatus = z.object({
  readerId: z.string(),
  kind: z.string(),
  role: ReaderRole,
  state: ReaderState,
  reason: z.string().nullable(),
});
export type ReaderStatus = z.infer<typeof ReaderStatus>;

/** What every driver emits for a tap: canonical uid plus the form the reader printed. */
export const CardRead = z.object({
  readerId: z.string(),
  technology: Technology,
  uid: Uid,
  raw: z.string(),
  at: UtcInstant,
});
export type CardRead = z.infer<typeof CardRead>;
