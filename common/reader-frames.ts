/**
 * Pure parsing of what serial card readers send (docs/architecture.md, "Hardware on the wire"): text lines and binary
 * `STX LEN TYPE SNR BCC ETX` frames. No I/O: the serial driver feeds bytes in and gets cards or
 * drop reasons out, so every bad-input case is testable without a port and the renderer's setup
 * screen can show what a sample line would read as.
 */
import { bytesToHex, CardFormatError, toCanonicalUid, type CardFormat, type CardTechnology } from './card-id.ts';

export const DROP_REASONS = [
  'garbage',
  'bad_length',
  'bad_trailer',
  'bad_checksum',
  'unknown_type',
  'incomplete_frame',
  'line_too_long',
  'no_match',
  'bad_uid',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface FrameCard {
  technology: CardTechnology;
  /** Canonical upper-case hex uid. */
  uid: string;
  /** What the reader sent, as text (a line) or hex (a binary frame). */
  raw: string;
}

export type FrameResult = { kind: 'card'; card: FrameCard } | { kind: 'drop'; reason: DropReason; detail: string };

export interface FrameParser {
  /** Feeds bytes as they arrive; returns every card or drop they complete. */
  push(bytes: ArrayLike<number>): FrameResult[];
  /** The line went silent: a half frame still buffered is dropped. */
  flush(): FrameResult[];
  /** Bytes waiting for the rest of their frame. */
  pending(): number;
}

const STX = 0x02;
const ETX = 0x03;
/** STX LEN TYPE BCC ETX around an SNR of 4 to 10 bytes. */
const MIN_FRAME = 5 + 4;
const MAX_FRAME = 5 + 10;
const FRAME_TYPES: Record<number, CardTechnology> = { 0x01: 'iso14443', 0x02: 'em4100' };

function hexOf(bytes: ArrayLike<number>, max = 24): string {
  const list = Array.from(bytes).slice(0, max);
  return bytesToHex(list) + (bytes.length > max ? '…' : '');
}

/** BCC of a binary frame: XOR of LEN, TYPE and SNR bytes. */
export function frameChecksum(frame: ArrayLike<number>): number {
  let x = 0;
  for (let i = 1; i < frame.length - 2; i++) x ^= frame[i] ?? 0;
  return x;
}

/** Builds a binary reader frame (what a reader sends; tests and setup use it). */
export function encodeBinaryFrame(type: number, snr: readonly number[]): number[] {
  const len = snr.length + 5;
  const frame = [STX, len, type, ...snr, 0, ETX];
  frame[frame.length - 2] = frameChecksum(frame);
  return frame;
}

/** Whether a whole frame with a correct trailer and checksum starts at `at`; 'wait' when its end has not arrived. */
function frameAt(buf: readonly number[], at: number): boolean | 'wait' {
  if (buf[at] !== STX) return false;
  if (at + 1 >= buf.length) return 'wait';
  const len = buf[at + 1] ?? 0;
  if (len < MIN_FRAME || len > MAX_FRAME) return false;
  if (at + len > buf.length) return 'wait';
  const frame = buf.slice(at, at + len);
  return frame[len - 1] === ETX && frame[len - 2] === frameChecksum(frame);
}

/** The first position inside a failed frame's window where a valid frame starts, 0 for none. */
function innerFrameStart(buf: readonly number[], len: number): number | 'wait' {
  for (let at = 1; at < len; at++) {
    const found = frameAt(buf, at);
    if (found) return found === 'wait' ? 'wait' : at;
  }
  return 0;
}

export function createBinaryFrameParser(): FrameParser {
  let buf: number[] = [];
  const parse = (): FrameResult[] => {
    const out: FrameResult[] = [];
    for (;;) {
      if (buf.length === 0) break;
      if (buf[0] !== STX) {
        const next = buf.indexOf(STX);
        const junk = next < 0 ? buf : buf.slice(0, next);
        out.push({ kind: 'drop', reason: 'garbage', detail: hexOf(junk) });
        buf = next < 0 ? [] : buf.slice(next);
        continue;
      }
      if (buf.length < 2) break;
      const len = buf[1] ?? 0;
      if (len < MIN_FRAME || len > MAX_FRAME) {
        out.push({ kind: 'drop', reason: 'bad_length', detail: `LEN ${len} in ${hexOf(buf.slice(0, 2))}` });
        buf = buf.slice(1);
        continue;
      }
      if (buf.length < len) break;
      const frame = buf.slice(0, len);
      if (frame[len - 1] !== ETX) {
        // The length was wrong or the STX was a data byte: look for the next STX after this one.
        out.push({ kind: 'drop', reason: 'bad_trailer', detail: hexOf(frame) });
        buf = buf.slice(1);
        continue;
      }
      const bcc = frameChecksum(frame);
      if (frame[len - 2] !== bcc) {
        // A frame cut off by the reader and followed at once by the next one can look like one frame
        // whose ETX is a byte of the next (03 as its first data byte): resynchronise on an STX inside
        // the window that starts a whole, valid frame, so the good frame is kept.
        const inner = innerFrameStart(buf, len);
        if (inner === 'wait') break;
        if (inner > 0) {
          out.push({ kind: 'drop', reason: 'incomplete_frame', detail: hexOf(buf.slice(0, inner)) });
          buf = buf.slice(inner);
          continue;
        }
        buf = buf.slice(len);
        out.push({ kind: 'drop', reason: 'bad_checksum', detail: `${hexOf(frame)} (BCC should be ${bytesToHex([bcc])})` });
        continue;
      }
      buf = buf.slice(len);
      const technology = FRAME_TYPES[frame[2] ?? -1];
      if (!technology) {
        out.push({ kind: 'drop', reason: 'unknown_type', detail: hexOf(frame) });
        continue;
      }
      out.push({ kind: 'card', card: { technology, uid: bytesToHex(frame.slice(3, len - 2)), raw: hexOf(frame, MAX_FRAME) } });
    }
    return out;
  };
  return {
    push(bytes) {
      for (let i = 0; i < bytes.length; i++) buf.push(bytes[i] ?? 0);
      return parse();
    },
    flush() {
      if (buf.length === 0) return [];
      const detail = hexOf(buf);
      buf = [];
      return [{ kind: 'drop', reason: 'incomplete_frame', detail }];
    },
    pending: () => buf.length,
  };
}

const PREFIX = String.raw`(?:[^:=]{1,16}[:=]\s*)?`;
const TOKENS: Record<CardFormat, string> = {
  hex: '[0-9A-Fa-f]{8,20}',
  'hex-reversed': '[0-9A-Fa-f]{8,20}',
  dec10: String.raw`\d{10}`,
  'dec10-reversed': String.raw`\d{10}`,
  wiegand26: String.raw`\d{3}[,.]\d{5}`,
};

/**
 * The line pattern a format expects when none is configured: the printed uid, optionally after a short
 * prefix ending in ':' or '=' (such as "EM:" or "UID="), and nothing else on the line.
 */
export function defaultLinePattern(format: CardFormat): string {
  return String.raw`^\s*${PREFIX}(?<uid>${TOKENS[format]})\s*$`;
}

export interface TextParserOptions {
  format: CardFormat;
  technology: CardTechnology;
  /** Regular expression source; the `uid` group (or the first group, or the whole match) is the printed uid. */
  pattern?: string;
  maxLineLength?: number;
}

/** Throws a SyntaxError for a pattern that is not a regular expression (setup validates it first). */
export function createTextLineParser(options: TextParserOptions): FrameParser {
  const re = new RegExp(options.pattern || defaultLinePattern(options.format));
  const maxLen = options.maxLineLength ?? 64;
  let line: number[] = [];
  let overflow = false;

  const parseLine = (bytes: number[]): FrameResult => {
    if (bytes.some((b) => (b < 0x20 && b !== 0x09) || b > 0x7e)) {
      return { kind: 'drop', reason: 'garbage', detail: hexOf(bytes) };
    }
    const text = String.fromCharCode(...bytes);
    const m = re.exec(text);
    if (!m) return { kind: 'drop', reason: 'no_match', detail: JSON.stringify(text) };
    const printed = m.groups?.uid ?? m[1] ?? m[0];
    try {
      return { kind: 'card', card: { technology: options.technology, uid: toCanonicalUid(printed, options.format), raw: text.trim() } };
    } catch (err) {
      if (err instanceof CardFormatError) return { kind: 'drop', reason: 'bad_uid', detail: err.message };
      throw err;
    }
  };

  return {
    push(bytes) {
      const out: FrameResult[] = [];
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] ?? 0;
        if (b === 0x0d || b === 0x0a) {
          if (!overflow && line.length > 0) out.push(parseLine(line));
          line = [];
          overflow = false;
        } else if (!overflow) {
          line.push(b);
          if (line.length > maxLen) {
            out.push({ kind: 'drop', reason: 'line_too_long', detail: `more than ${maxLen} bytes: ${hexOf(line, 16)}` });
            line = [];
            overflow = true;
          }
        }
      }
      return out;
    },
    flush() {
      // An overlong line was already counted; a half line followed by silence is dropped here.
      const had = line;
      line = [];
      overflow = false;
      if (had.length === 0) return [];
      return [{ kind: 'drop', reason: 'incomplete_frame', detail: hexOf(had) }];
    },
    pending: () => line.length,
  };
}
