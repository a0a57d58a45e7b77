import { z } from 'zod';
import { GuardSettings } from './guard-rules.ts';
import { ReaderConfig } from './readers.ts';
import { UpdateSettings } from './update-policy.ts';

export const StationMode = z.enum(['unset', 'guard', 'cashier']);
export type StationMode = z.infer<typeof StationMode>;
export const Locale = z.enum(['ru', 'en']);
export type Locale = z.infer<typeof Locale>;

export const Settings = z.object({
  mode: StationMode.default('unset'),
  locale: Locale.default('ru'),
  kiosk: z.boolean().default(false),
  /** Null: the embedded demo school, no backend. */
  backendUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
  stationName: z.string().max(80).default(''),
  /** The school's offline cap per child per school day for cashier sales (kopecks). */
  offlineCapPerDay: z.number().int().nonnegative().default(300_00),
  /** Share of a complex meal the subsidy pays for the `discounted` subsidy category (percent). */
  subsidyDiscountPercent: z.number().int().min(0).max(100).default(50),
  /** Guard post: anti-passback, relay pulse and port. */
  guard: GuardSettings.prefault({}),
  /** Auto-update: channel, check interval, rush hours. */
  update: UpdateSettings.prefault({}),
  readers: z
    .array(ReaderConfig)
    .default(() => [ReaderConfig.parse({ id: 'demo', kind: 'simulated', role: 'entry' })])
    .refine((rs) => new Set(rs.map((r) => r.id)).size === rs.length, 'reader ids must be unique'),
});
export type Settings = z.infer<typeof Settings>;
export type SettingsPatch = Partial<Settings>;

function withoutDefault(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault ? (schema.unwrap() as z.ZodType) : schema;
}

/**
 * A change to some settings: only the fields given, none filled from defaults (a patch that names
 * `mode` must not reset `locale`). The merged document is validated again with `Settings`.
 */
export const SettingsPatch = z
  .object(Object.fromEntries(Object.entries(Settings.shape).map(([k, v]) => [k, withoutDefault(v as z.ZodType).optional()])))
  .strict() as unknown as z.ZodType<SettingsPatch, SettingsPatch>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});
