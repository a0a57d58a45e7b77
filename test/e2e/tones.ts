import type { Page } from '@playwright/test';
import type { Note } from '../../renderer/src/tones.ts';

/** One tone as the page played it: each note's frequency and waveform, in order. */
type Heard = [freq: number, type: OscillatorType][];

declare global {
  interface Window {
    __tonesHeard?: Heard[];
  }
}

/**
 * An init script (the fixture's page runs it before the app): listens to what the app's WebAudio
 * actually plays, so the e2e checks the sound the person hears and the app carries no test hook. A tone
 * is either oscillators started in one task on the live context, or a buffer rendered offline from
 * oscillators and then started (renderer/src/tones.ts renders each sequence once and replays it).
 */
export function recordTones(): void {
  const heard: Heard[] = [];
  window.__tonesHeard = heard;
  const offlineNotes = new WeakMap<BaseAudioContext, Heard>();
  const bufferNotes = new WeakMap<AudioBuffer, Heard>();
  let current: Heard | null = null;
  const createOscillator = BaseAudioContext.prototype.createOscillator;
  BaseAudioContext.prototype.createOscillator = function (this: BaseAudioContext) {
    const osc = createOscillator.call(this);
    const start = osc.start.bind(osc);
    osc.start = (when?: number) => {
      const note: [number, OscillatorType] = [osc.frequency.value, osc.type];
      if (this instanceof OfflineAudioContext) {
        const notes = offlineNotes.get(this) ?? [];
        offlineNotes.set(this, notes);
        notes.push(note);
      } else {
        if (!current) {
          current = [];
          heard.push(current);
          queueMicrotask(() => (current = null));
        }
        current.push(note);
      }
      start(when);
    };
    return osc;
  };
  const startRendering = OfflineAudioContext.prototype.startRendering;
  OfflineAudioContext.prototype.startRendering = function (this: OfflineAudioContext) {
    return startRendering.call(this).then((buffer) => {
      bufferNotes.set(buffer, offlineNotes.get(this) ?? []);
      return buffer;
    });
  };
  const startBuffer = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: Parameters<AudioBufferSourceNode['start']>) {
    if (this.buffer) heard.push(bufferNotes.get(this.buffer) ?? []);
    return startBuffer.apply(this, args);
  };
}

/** How many tones the page has played so far. */
export const tonesPlayed = (page: Page): Promise<number> => page.evaluate(() => window.__tonesHeard?.length ?? 0);

/** The name of the last tone the page played, by its notes (null: none yet, or one of none of these). */
export async function lastTone<T extends string>(page: Page, sequences: Record<T, readonly Note[]>): Promise<T | null> {
  const last = await page.evaluate(() => window.__tonesHeard?.at(-1) ?? null);
  if (!last) return null;
  const same = (notes: readonly Note[]) => notes.length === last.length && notes.every(([freq, , type], i) => last[i]![0] === freq && last[i]![1] === type);
  return (Object.keys(sequences) as T[]).find((name) => same(sequences[name])) ?? null;
}
