import { describe, expect, it } from 'vitest';
import { createBinaryFrameParser, createTextLineParser, defaultLinePattern, encodeBinaryFrame, type FrameResult } from '../../common/reader-frames.ts';

const bytes = (hex: string) =>
  hex
    .split(/\s+/)
    .filter(Boolean)
    .map((h) => Number.parseInt(h, 16));
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const cards = (rs: FrameResult[]) => rs.flatMap((r) => (r.kind === 'card' ? [r.card.uid] : []));
const drops = (rs: FrameResult[]) => rs.flatMap((r) => (r.kind === 'drop' ? [r.reason] : []));

describe('binary STX LEN TYPE SNR BCC ETX frames', () => {
  it('reads the binary frame example of docs/architecture.md as an EM4100 card', () => {
    const r = createBinaryFrameParser().push(bytes('02 0A 02 06 00 8E 6D 5D B0 03'));
    expect(r).toEqual([{ kind: 'card', card: { technology: 'em4100', uid: '06008E6D5D', raw: '020A0206008E6D5DB003' } }]);
  });

  it('builds frames with the checksum readers use', () => {
    expect(encodeBinaryFrame(0x02, bytes('06 00 8E 6D 5D'))).toEqual(bytes('02 0A 02 06 00 8E 6D 5D B0 03'));
  });

  it('reads a Mifare frame split across many chunks', () => {
    const p = createBinaryFrameParser();
    const frame = encodeBinaryFrame(0x01, bytes('04 A1 B2 C3 D4 E5 F6'));
    const out: FrameResult[] = [];
    for (const b of frame) out.push(...p.push([b]));
    expect(out).toEqual([{ kind: 'card', card: expect.objectContaining({ technology: 'iso14443', uid: '04A1B2C3D4E5F6' }) }]);
    expect(p.pending()).toBe(0);
  });

  it('drops a wrong checksum and reads the next good frame', () => {
    const p = createBinaryFrameParser();
    const r = p.push([...bytes('02 0A 02 06 00 8E 6D 5D B1 03'), ...encodeBinaryFrame(2, bytes('01 02 03 04 05'))]);
    expect(drops(r)).toEqual(['bad_checksum']);
    expect(cards(r)).toEqual(['0102030405']);
  });

  it('drops garbage before a frame, once per run, and still reads the frame', () => {
    const r = createBinaryFrameParser().push([0xff, 0x00, 0x41, 0x42, ...encodeBinaryFrame(2, bytes('0A 0B 0C 0D 0E'))]);
    expect(drops(r)).toEqual(['garbage']);
    expect(cards(r)).toEqual(['0A0B0C0D0E']);
  });

  it('resynchronises after a STX with an impossible length or a missing ETX', () => {
    const good = encodeBinaryFrame(2, bytes('11 22 33 44 55'));
    expect(drops(createBinaryFrameParser().push([0x02, 0x40, ...good]))).toEqual(['bad_length', 'garbage']);
    expect(cards(createBinaryFrameParser().push([0x02, 0x40, ...good]))).toEqual(['1122334455']);
    const noEtx = [0x02, 0x0a, 0x02, 1, 2, 3, 4, 5, 0, 0x07];
    const r = createBinaryFrameParser().push([...noEtx, ...good]);
    expect(drops(r)[0]).toBe('bad_trailer');
    expect(cards(r)).toEqual(['1122334455']);
  });

  it('keeps a good frame that follows a cut-off one at once, even when its first data byte is 03', () => {
    // The cut-off frame's 10-byte window ends on the good frame's 03, which looks like an ETX.
    const cut = bytes('02 0A 02 06 00 8E');
    const good = encodeBinaryFrame(2, bytes('03 00 8E 6D 5D'));
    const whole = createBinaryFrameParser().push([...cut, ...good]);
    expect(cards(whole)).toEqual(['03008E6D5D']);
    expect(drops(whole)).toEqual(['incomplete_frame']);

    // The same bytes arriving one at a time, as a slow serial line delivers them.
    const p = createBinaryFrameParser();
    const out: FrameResult[] = [];
    for (const b of [...cut, ...good]) out.push(...p.push([b]));
    expect(cards(out)).toEqual(['03008E6D5D']);
    expect(p.pending()).toBe(0);

    // And a good frame after that one is read too.
    const next = encodeBinaryFrame(2, bytes('01 02 03 04 05'));
    expect(cards(createBinaryFrameParser().push([...cut, ...good, ...next]))).toEqual(['03008E6D5D', '0102030405']);
  });

  it('drops an unknown card type', () => {
    expect(drops(createBinaryFrameParser().push(encodeBinaryFrame(0x09, bytes('01 02 03 04 05'))))).toEqual(['unknown_type']);
  });

  it('drops a half frame when the line goes silent, then reads the next frame', () => {
    const p = createBinaryFrameParser();
    expect(p.push(bytes('02 0A 02 06 00'))).toEqual([]);
    expect(drops(p.flush())).toEqual(['incomplete_frame']);
    expect(cards(p.push(bytes('02 0A 02 06 00 8E 6D 5D B0 03')))).toEqual(['06008E6D5D']);
  });
});

describe('text line readers', () => {
  it('reads hex, reversed hex, 10-digit decimal and Wiegand-26 lines to canonical uids', () => {
    const hex = createTextLineParser({ format: 'hex', technology: 'iso14443' });
    expect(hex.push(ascii('04a1b2c3\r\n'))).toEqual([{ kind: 'card', card: { technology: 'iso14443', uid: '04A1B2C3', raw: '04a1b2c3' } }]);
    expect(cards(createTextLineParser({ format: 'hex-reversed', technology: 'iso14443' }).push(ascii('C3B2A104\n')))).toEqual(['04A1B2C3']);
    expect(cards(createTextLineParser({ format: 'dec10', technology: 'em4100' }).push(ascii('0009334109\r')))).toEqual(['008E6D5D']);
    expect(cards(createTextLineParser({ format: 'wiegand26', technology: 'em4100' }).push(ascii('142,27997\r\n')))).toEqual(['8E6D5D']);
  });

  it('accepts a short prefix such as the card type', () => {
    const p = createTextLineParser({ format: 'hex', technology: 'em4100' });
    expect(cards(p.push(ascii('EM: 06008E6D5D\r\nUID=06008E6D5E\r\n')))).toEqual(['06008E6D5D', '06008E6D5E']);
  });

  it('uses a configured pattern with a uid group', () => {
    const p = createTextLineParser({ format: 'dec10', technology: 'em4100', pattern: String.raw`^\[(?<uid>\d{10})\]$` });
    expect(cards(p.push(ascii('[0009334109]\n')))).toEqual(['008E6D5D']);
    expect(drops(p.push(ascii('0009334109\n')))).toEqual(['no_match']);
  });

  it('drops lines that match no pattern, garbage, bad uids and overlong lines, and keeps reading', () => {
    const p = createTextLineParser({ format: 'dec10', technology: 'em4100', maxLineLength: 20 });
    const r = p.push([...ascii('hello\r\n'), 0x01, 0xfe, 0x30, 0x0d, ...ascii('9999999999\n'), ...ascii('0'.repeat(60) + '\n'), ...ascii('0009334109\n')]);
    expect(drops(r)).toEqual(['no_match', 'garbage', 'bad_uid', 'line_too_long']);
    expect(cards(r)).toEqual(['008E6D5D']);
  });

  it('counts an overlong line once, however long it runs', () => {
    const p = createTextLineParser({ format: 'hex', technology: 'em4100', maxLineLength: 16 });
    const r = [...p.push(ascii('A'.repeat(100))), ...p.push(ascii('B'.repeat(100))), ...p.push(ascii('\n06008E6D5D\n'))];
    expect(drops(r)).toEqual(['line_too_long']);
    expect(cards(r)).toEqual(['06008E6D5D']);
  });

  it('drops a half line followed by silence', () => {
    const p = createTextLineParser({ format: 'hex', technology: 'em4100' });
    expect(p.push(ascii('0600'))).toEqual([]);
    expect(drops(p.flush())).toEqual(['incomplete_frame']);
    expect(cards(p.push(ascii('06008E6D5D\n')))).toEqual(['06008E6D5D']);
  });

  it('has default patterns that do not accept stray text around the number', () => {
    const re = new RegExp(defaultLinePattern('dec10'));
    expect(re.test('0009334109')).toBe(true);
    expect(re.test('x0009334109y')).toBe(false);
  });
});
