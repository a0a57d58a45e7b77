import { describe, expect, it } from 'vitest';
import { toCanonicalUid, type CardFormat, type CardTechnology } from '../../common/card-id.ts';
import { ambiguityByPart, candidateKeys, partOfFormat, pickCard, type CardNumber, type UidPart } from '../../common/card-match.ts';

const card = (technology: CardTechnology, uid: string, part: UidPart = 'full', holder = uid): CardNumber & { holder: string } => ({
  technology,
  uid,
  part,
  holder,
});

/** A read as a reader configured with this format turns what it printed into. */
const read = (technology: CardTechnology, printed: string, format: CardFormat, partialIso = false): CardNumber => ({
  technology,
  uid: toCanonicalUid(printed, format),
  part: partOfFormat(format, partialIso),
});

// A school's cards as the server gave them: full uids, and numbers typed from a print (a part).
const school = [
  card('em4100', '6BD6EC9F2C', 'full', 'pupil A'), // EM-Marine, what a binary STX…ETX reader sends
  card('em4100', '11AA000001', 'full', 'pupil B'),
  card('em4100', '22AA000001', 'full', 'pupil C'), // same last 4 bytes as pupil B
  card('em4100', '00123456', 'last4', 'spare 1'), // added from the 10-digit print on the card
  card('iso14443', '04A1B2C3D4E5F6', 'full', 'teacher'), // a 7-byte ISO 14443 uid
  card('iso14443', 'A1B2C3D4', 'full', 'pupil D'), // a 4-byte Mifare Classic uid
  card('em4100', '7733AABBCC', 'full', 'pupil E'),
  card('em4100', '8833AABBCC', 'full', 'pupil F'), // same last 4 and last 3 bytes as pupil E
];

describe('a read identifies the one card it agrees with on the bytes its reader sees', () => {
  it.each([
    // what was read                                                   → who, or why not
    ['binary frame, full uid', read('em4100', '6BD6EC9F2C', 'hex'), 'pupil A'],
    ['10-digit decimal of the last 4 bytes', read('em4100', '3605831468', 'dec10'), 'pupil A'],
    ['10-digit decimal, reversed byte order', read('em4100', '0748678358', 'dec10-reversed'), 'pupil A'],
    ['Wiegand-26 facility,number', read('em4100', '236,40748', 'wiegand26'), 'pupil A'],
    ['full uid of a card stored from its printed last 4 bytes', read('em4100', '5A00123456', 'hex'), 'spare 1'],
    ['decimal print of a card stored from its printed last 4 bytes', read('em4100', '0001193046', 'dec10'), 'spare 1'],
    ['ISO reader printing only the first 4 of 7 bytes', read('iso14443', '04A1B2C3', 'hex', true), 'teacher'],
    ['ISO reader printing the last 4 bytes in decimal', read('iso14443', String(0xc3d4e5f6), 'dec10'), 'teacher'],
    ['a 4-byte uid read in full', read('iso14443', 'A1B2C3D4', 'hex'), 'pupil D'],
    ['a 4-byte uid read as decimal', read('iso14443', String(0xa1b2c3d4), 'dec10'), 'pupil D'],
    ['a full uid that shares its last bytes with another card', read('em4100', '22AA000001', 'hex'), 'pupil C'],
  ])('%s', (_what, r, who) => {
    const m = pickCard(r, school);
    expect(m).toEqual({ kind: 'one', card: expect.objectContaining({ holder: who }) });
  });

  it.each([
    ['decimal print shared by two cards', read('em4100', String(0xaa000001), 'dec10'), 2],
    ['decimal print shared by two cards, other pair', read('em4100', String(0x33aabbcc), 'dec10'), 2],
  ])('refuses as ambiguous: %s', (_what, r, count) => {
    expect(pickCard(r, school)).toEqual({ kind: 'ambiguous', count });
  });

  it('a Wiegand-26 read that two cards end in is ambiguous, not the first one found', () => {
    // pupils E and F both end in AA BB CC: Wiegand sees facility AA (170) and number BBCC (48076).
    expect(pickCard(read('em4100', '170,48076', 'wiegand26'), school)).toEqual({ kind: 'ambiguous', count: 2 });
  });

  it.each([
    ['another technology with the same bytes', read('iso14443', '6BD6EC9F2C', 'hex')],
    ['a full uid nobody holds', read('em4100', '6BD6EC9F2D', 'hex')],
    ['first 4 bytes against a card stored from its last 4', read('em4100', '00123456', 'hex', true)],
    ['the first 4 bytes of a 4-byte card read as a 7-byte prefix of nothing', read('iso14443', '04A1B2C4', 'hex', true)],
  ])('finds no card: %s', (_what, r) => {
    expect(pickCard(r, school)).toEqual({ kind: 'none' });
  });

  it('counts one stored card once even if the store returns it twice', () => {
    const twice = [school[0], school[0]].filter((c) => c !== undefined);
    expect(pickCard(read('em4100', '3605831468', 'dec10'), twice)).toEqual({ kind: 'one', card: school[0] });
  });
});

describe('candidate keys find every stored card a read may be, by exact uid or its ends', () => {
  /** What a store with indexes on uid, its last 4, last 3 and first 4 bytes would return. */
  const find = (r: CardNumber) => {
    const k = candidateKeys(r);
    return school.filter(
      (c) =>
        c.technology === r.technology &&
        (k.exact.includes(c.uid) ||
          (k.tail4 !== null && c.uid.slice(-8) === k.tail4) ||
          (k.tail3 !== null && c.uid.slice(-6) === k.tail3) ||
          (k.head4 !== null && c.uid.slice(0, 8) === k.head4)),
    );
  };

  it.each(
    // A read always comes from a physical card, whose full uid these are.
    school
      .filter((c) => c.part === 'full')
      .flatMap((c) => (['hex', 'dec10', 'dec10-reversed', 'wiegand26'] as const).map((format) => [c.holder, format, c] as const)),
  )('%s read as %s: the keys find the same matches as a scan of all cards', (_who, format, c) => {
    const printed = {
      hex: c.uid,
      dec10: String(Number.parseInt(c.uid.slice(-8), 16)),
      'dec10-reversed': String(Number.parseInt((c.uid.slice(-8).match(/../g) ?? []).reverse().join(''), 16)),
      wiegand26: `${Number.parseInt(c.uid.slice(-6, -4), 16)},${Number.parseInt(c.uid.slice(-4), 16)}`,
    }[format];
    const r = read(c.technology, printed, format);
    expect(pickCard(r, find(r))).toEqual(pickCard(r, school));
  });
});

describe('which reader formats identify the school uniquely', () => {
  it('counts the cards a reader of each format could not tell apart', () => {
    const fulls = school.filter((c) => c.part === 'full');
    const a = ambiguityByPart(fulls);
    expect(a.last4).toBe(4); // B and C, E and F: a 10-digit reader, in either byte order
    expect(a.last3).toBe(4); // Wiegand-26
  });
});
