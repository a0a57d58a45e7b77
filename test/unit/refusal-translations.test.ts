import { describe, expect, it } from 'vitest';
import { SaleRefusal, TapRefusal } from '../../common/cashier-rules.ts';
import { BridgeErrorCode } from '../../common/contract/envelope.ts';
import { RelayTestFailure } from '../../common/contract/hardware.ts';
import {
  CashierErrorReason,
  DutyRefusal,
  GuardRefusal,
  ItRefusal,
  PersonRefusal,
  SpareRefusal,
  StationRefusal,
  UpdateRefusal,
} from '../../common/contract/refusals.ts';
import { PassReason } from '../../common/guard-rules.ts';
import { ReaderFault } from '../../common/readers.ts';
import { resources } from '../../renderer/src/i18n/index.ts';

/** The string at `ns:dotted.path` in one language's resources, or undefined. */
function lookup(lng: 'ru' | 'en', key: string): unknown {
  const [ns, path] = key.split(':') as [string, string];
  let node: unknown = (resources[lng] as Record<string, unknown>)[ns];
  for (const part of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** Every code of the contract's reason lists, with the i18n key the renderer looks it up under. */
const areas: [string, readonly string[], (code: string) => string][] = [
  ['bridge error codes', BridgeErrorCode.options, (c) => `common:errors.${c}`],
  ['the station’s refusals', StationRefusal.options, (c) => `common:refusal.${c}`],
  ['the till’s refusals', CashierErrorReason.options, (c) => `cashier:errors.${c}`],
  ['a refused tap at the till', TapRefusal.options, (c) => `cashier:tapRefusal.${c}`],
  ['a refused sale', SaleRefusal.options, (c) => `cashier:refusal.${c}`],
  ['the guard’s duty PINs', DutyRefusal.options, (c) => `guard:duty.errors.${c}`],
  ['spare cards', SpareRefusal.options, (c) => `guard:spare.errors.${c}`],
  ['the person a guard acts for', PersonRefusal.options, (c) => `guard:person.${c}`],
  [
    'the manual-open dialog',
    GuardRefusal.exclude([...DutyRefusal.options, ...SpareRefusal.options, ...PersonRefusal.options]).options,
    () => 'guard:manual.noteRequired',
  ],
  ['a pass’s reason', PassReason.options, (c) => `guard:reason.${c}`],
  ['setup’s lock', ItRefusal.options, (c) => `it:errors.${c}`],
  ['update commands', UpdateRefusal.options, (c) => `update:request.${c}`],
  ['the relay test', RelayTestFailure.options, (c) => `hardware:relay.failure.${c}`],
  ['a reader’s state', ReaderFault.options, (c) => `hardware:reason.${c}`],
];

describe('every reason code the contract lists has words in Russian and in English', () => {
  it.each(areas)('%s', (_area, codes, keyOf) => {
    expect(codes.length).toBeGreaterThan(0);
    const missing = codes.flatMap((code) =>
      (['ru', 'en'] as const).flatMap((lng) => {
        const text = lookup(lng, keyOf(code));
        return typeof text === 'string' && text.trim() !== '' ? [] : [`${lng} ${keyOf(code)}`];
      }),
    );
    expect(missing).toEqual([]);
  });
});
