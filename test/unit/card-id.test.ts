import { describe, expect, it } from 'vitest';
import { isRandomUid, printedForms, toCanonicalUid, type CardFormat } from '../../common/card-id.ts';

// The same physical cards as different readers print them (docs/architecture.md, "Card identifiers").
const table: [string, CardFormat, string][] = [
  ['04A1B2C3D4E5F6', 'hex', '04A1B2C3D4E5F6'],
  ['04:a1:b2:c3', 'hex', '04A1B2C3'],
  ['F6E5D4C3B2A104', 'hex-reversed', '04A1B2C3D4E5F6'],
  ['0009338669', 'dec10', '008E7F2D'],
  ['0763334144', 'dec10-reversed', '008E7F2D'],
  ['4294967295', 'dec10', 'FFFFFFFF'],
  ['142,32557', 'wiegand26', '8E7F2D'],
  ['006,36461', 'wiegand26', '068E6D'],
];

describe('card id conversions', () => {
  it.each(table)('%s read as %s is canonical %s', (printed, format, canonical) => {
    expect(toCanonicalUid(printed, format)).toBe(canonical);
  });

  it('prints every form of a canonical uid, and each form converts back to the same last bytes', () => {
    const forms = printedForms('06008E6D5D');
    expect(forms).toEqual({
      hex: '06008E6D5D',
      'hex-reversed': '5D6D8E0006',
      dec10: '0009334109',
      'dec10-reversed': '1567460864',
      wiegand26: '142,27997',
    });
    expect(toCanonicalUid(forms.dec10, 'dec10')).toBe('008E6D5D');
    expect(toCanonicalUid(forms['dec10-reversed'], 'dec10-reversed')).toBe('008E6D5D');
    expect(toCanonicalUid(forms.wiegand26, 'wiegand26')).toBe('8E6D5D');
  });

  it.each([
    ['12G4', 'hex'],
    ['ABC', 'hex'],
    ['', 'hex'],
    ['99999999999', 'dec10'],
    ['4294967296', 'dec10'],
    ['12a', 'dec10'],
    ['256,00001', 'wiegand26'],
    ['001,65536', 'wiegand26'],
    ['12345', 'wiegand26'],
  ] as [string, CardFormat][])('rejects %j as %s with a clear error', (printed, format) => {
    expect(() => toCanonicalUid(printed, format)).toThrow(/uid|Wiegand|range/);
  });

  it('treats a 4-byte ISO 14443 uid starting with 08 as a random id, nothing else', () => {
    expect(isRandomUid({ technology: 'iso14443', uid: '08A1B2C3' })).toBe(true);
    expect(isRandomUid({ technology: 'iso14443', uid: '04A1B2C3' })).toBe(false);
    expect(isRandomUid({ technology: 'iso14443', uid: '08A1B2C3D4E5F6' })).toBe(false);
    expect(isRandomUid({ technology: 'em4100', uid: '08A1B2C3' })).toBe(false);
  });
});
