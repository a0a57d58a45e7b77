import { playNotes, type Note } from '../tones.ts';

/**
 * The till's sounds, synthesised with WebAudio (no sound files): a short beep for a photo check, a
 * distinct rising three-tone alarm when the child has an allergy on record, a low tone for a refusal,
 * two bright notes for a sale paid.
 */
export type Tone = 'check' | 'allergy' | 'deny' | 'paid';

export const TILL_TONES: Record<Tone, readonly Note[]> = {
  check: [[880, 120, 'sine']],
  allergy: [
    [660, 160, 'square'],
    [880, 160, 'square'],
    [1100, 160, 'square'],
    [660, 160, 'square'],
    [880, 160, 'square'],
    [1100, 240, 'square'],
  ],
  deny: [[220, 400, 'sawtooth']],
  paid: [
    [988, 90, 'sine'],
    [1319, 160, 'sine'],
  ],
};

export function playTone(tone: Tone): void {
  playNotes(TILL_TONES[tone], { gain: 0.25, gapMs: 30 });
}
