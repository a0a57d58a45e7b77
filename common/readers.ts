import { z } from 'zod';
import { CARD_FORMATS } from './card-id.ts';
import { partOfFormat, type UidPart } from './card-match.ts';
import { Technology, Uid, UidPartSchema, UtcInstant } from './domain.ts';

/** What a reader is for at this station. */
export const ReaderRole = z.enum(['entry', 'exit', 'cashier', 'none']);
export type ReaderRole = z.infer<typeof ReaderRole>;

const base = {
  id: z.string().min(1).max(64),
  role: ReaderRole,
  label: z.string().max(80).default(''),
  /** The same card taken away and shown again sooner than this is the same tap (a bounce), not a second one. */
  retapMs: z.number().int().min(0).max(60_000).default(1000),
};

export const ReaderConfig = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('simulated') }),
  z.object({ ...base, kind: z.literal('pcsc'), readerName: z.string().min(1) }),
  z.object({
    ...base,
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    frame: z.enum(['text', 'binary']).default('text'),
    format: z.enum(CARD_FORMATS).default('hex'),
    technology: Technology.default('em4100'),
    /** A hex reader of ISO cards that prints only the first 4 bytes of a longer (7-byte) uid. */
    partialUid: z.boolean().default(false),
    /** Text readers: a regular expression whose `uid` group (or first group) is the printed uid; empty = the format's default. */
    pattern: z.string().max(200).default(''),
    maxLineLength: z.number().int().min(8).max(1024).default(64),
    /** Readers that repeat the frame while a card is held: the card is gone after this long without a frame. */
    holdMs: z.number().int().min(50).max(10_000).default(700),
    /** A half frame followed by this much silence is dropped. */
    frameTimeoutMs: z.number().int().min(10).max(5_000).default(200),
  }),
  z.object({
    ...base,
    kind: z.literal('wedge'),
    format: z.enum(CARD_FORMATS).default('dec10'),
    technology: Technology.default('em4100'),
    partialUid: z.boolean().default(false),
    maxGapMs: z.number().int().min(5).max(100).default(25),
  }),
]);
export type ReaderConfig = z.infer<typeof ReaderConfig>;
export type ReaderKind = ReaderConfig['kind'];

/**
 * How much of a card's number a reader gives: PC/SC and binary serial frames the whole uid; a text
 * reader or a keyboard wedge what its format carries (a 10-digit print: the last 4 bytes).
 */
export function readerPart(config: ReaderConfig): UidPart {
  if (config.kind === 'wedge' || (config.kind === 'serial' && config.frame === 'text')) return partOfFormat(config.format, config.partialUid);
  return 'full';
}

export const ReaderState = z.enum(['connecting', 'ready', 'error', 'disconnected', 'busy']);
/** The codes a reader's or the relay's status gives as its reason, each with words in setup and the status bar. */
export const ReaderFault = z.enum([
  'pcsc_unavailable',
  'reader_absent',
  'port_missing',
  'port_busy',
  'port_lost',
  'permission_denied',
  'open_failed',
  'invalid_config',
  'invalid_pattern',
]);
export type ReaderFault = z.infer<typeof ReaderFault>;
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
  /** How much of the card's number this reader sees (from its format); absent: the full uid. */
  part: UidPartSchema.optional(),
  raw: z.string(),
  at: UtcInstant,
});
export type CardRead = z.infer<typeof CardRead>;

/** The turnstile or door relay (docs/architecture.md, "Hardware on the wire"): an LCUS-type USB relay, one channel per direction. */
export const GateConfig = z.object({
  id: z.string().min(1).max(64).default('gate'),
  kind: z.literal('lcus'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  entryChannel: z.number().int().min(1).max(8).default(1),
  exitChannel: z.number().int().min(1).max(8).default(2),
  pulseMs: z.number().int().min(50).max(30_000).default(1000),
  /** Confirm every open with the status query (FF); boards without it answer nothing. */
  confirm: z.boolean().default(true),
});
export type GateConfig = z.infer<typeof GateConfig>;
export const GateStatus = z.object({
  gateId: z.string(),
  state: ReaderState,
  reason: z.string().nullable(),
});
export type GateStatus = z.infer<typeof GateStatus>;
