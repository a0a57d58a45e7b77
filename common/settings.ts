import { z } from 'zod';
import { GuardSettings } from './guard-rules.ts';
import { ReaderConfig } from './readers.ts';
import { ServerUrl } from './transport.ts';
import { UpdateSettings } from './update-policy.ts';

export const StationMode = z.enum(['unset', 'guard', 'cashier']);
export type StationMode = z.infer<typeof StationMode>;
export const Locale = z.enum(['ru', 'en']);
export type Locale = z.infer<typeof Locale>;

export const ShowBalance = z.enum(['never', 'on_request']);
export type ShowBalance = z.infer<typeof ShowBalance>;

export const Settings = z.object({
  mode: StationMode.default('unset'),
  locale: Locale.default('ru'),
  kiosk: z.boolean().default(false),
  /** Null: the embedded demo school, no backend. */
  backendUrl: ServerUrl.nullable().default(null),
  stationName: z.string().max(80).default(''),
  // The offline cap, the subsidy share, the release feed and the time zone are the school's, set on its
  // backend (common/sync-api.ts SchoolSettings), not the station's.
  /**
   * The till: whether a refusal's figures (balance, what was spent against the limit) may be shown on the
   * cashier's screen, which the queue can read. `never`: the reason in words only; `on_request`: the
   * cashier shows them for a few seconds when the child asks.
   */
  showBalance: ShowBalance.default('never'),
  /** Guard post: anti-passback, relay pulse and port. */
  guard: GuardSettings.prefault({}),
  /** Auto-update: channel, check interval, rush hours. */
  update: UpdateSettings.prefault({}),
  /**
   * None by default: a real installation shows "no reader set up" until IT adds one. Only the demo
   * school gets the on-screen demo reader (station/demo-only.ts).
   */
  readers: z
    .array(ReaderConfig)
    .default(() => [])
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

/** The object schema inside a field's default, if the field is an object of its own (guard, update). */
function objectInside(schema: z.ZodType): z.ZodObject | null {
  const inner = withoutDefault(schema);
  return inner instanceof z.ZodObject ? inner : null;
}

/** The fields of `value` that `shape` accepts, one by one; an object field is salvaged the same way. */
function validFields(shape: z.ZodRawShape, value: Record<string, unknown>, path: string, dropped: string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (!(key in value)) continue;
    const schema = field as z.ZodType;
    if (schema.safeParse(value[key]).success) {
      kept[key] = value[key];
      continue;
    }
    const inner = objectInside(schema);
    const v = value[key];
    if (inner && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      kept[key] = validFields(inner.shape, v as Record<string, unknown>, `${path}${key}.`, dropped);
      continue;
    }
    dropped.push(`${path}${key}`);
  }
  return kept;
}

/**
 * The settings from a stored document that may no longer validate (written by an older build, edited by
 * hand, cut short): every field that is still valid is kept, each one that is not falls back to its
 * default, and `dropped` names those (never their values). Text that is not a JSON object gives the defaults.
 */
export function settingsFromStored(text: string | null): { settings: Settings; dropped: string[] } {
  let raw: unknown = {};
  try {
    raw = text === null ? {} : JSON.parse(text);
  } catch {
    return { settings: DEFAULT_SETTINGS, dropped: ['(not JSON)'] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { settings: DEFAULT_SETTINGS, dropped: ['(not an object)'] };
  const whole = Settings.safeParse(raw);
  if (whole.success) return { settings: whole.data, dropped: [] };
  const dropped: string[] = [];
  const kept = validFields(Settings.shape, raw as Record<string, unknown>, '', dropped);
  const salvaged = Settings.safeParse(kept);
  return salvaged.success ? { settings: salvaged.data, dropped } : { settings: DEFAULT_SETTINGS, dropped: ['(whole document)'] };
}
