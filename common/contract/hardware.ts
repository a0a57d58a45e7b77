import { z } from 'zod';
import { PARTIAL_PARTS } from '../card-match.ts';
import { Direction } from '../domain.ts';
import { request } from './define.ts';

/** What the setup screen offers IT to assign: the PC/SC readers pcscd reports and the serial ports found. */
export const HardwareDiscovery = z.object({
  pcscAvailable: z.boolean(),
  pcscReaders: z.array(z.string()),
  serialPorts: z.array(
    z.object({
      path: z.string(),
      manufacturer: z.string().nullable(),
      serialNumber: z.string().nullable(),
      vendorId: z.string().nullable(),
      productId: z.string().nullable(),
      /** A CH340 adapter: what LCUS relays are built on. */
      likelyRelay: z.boolean(),
    }),
  ),
});
export type HardwareDiscovery = z.infer<typeof HardwareDiscovery>;

/** Why a relay test did not open (hardware/relay.ts GateFailure, or no relay configured), translated by the renderer. */
export const RelayTestFailure = z.enum(['no_relay', 'gate_not_ready', 'write_failed', 'not_confirmed', 'no_answer']);

const Empty = z.object({}).strict();

export const hardwareRequests = {
  'hardware.discover': request(Empty, HardwareDiscovery),
  /** The renderer saw a keyboard-wedge burst (common/wedge-detector.ts): the wedge reader turns it into a tap. */
  'reader.wedgeCard': request(z.object({ readerId: z.string().min(1), text: z.string().min(1).max(64) }).strict(), z.object({ accepted: z.boolean() })),
  /**
   * Setup's reader section: for each number format, how many of the school's cards a reader printing
   * that format could not tell from another card (0: the format identifies every card).
   */
  'hardware.cardAmbiguity': request(Empty, z.record(z.enum(PARTIAL_PARTS), z.number().int().nonnegative())),
  /** Setup's relay test button: pulse one direction of the configured relay; says whether the relay confirmed it. */
  'hardware.testRelay': request(
    z.object({ direction: Direction }).strict(),
    z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), confirmed: z.boolean() }), z.object({ ok: z.literal(false), reason: RelayTestFailure })]),
  ),
} as const;

export const hardwareEvents = {
  /** A card was presented but its id could not be read: the person should tap again. */
  'reader.misread': z.object({ readerId: z.string(), reason: z.string(), at: z.string() }),
} as const;
