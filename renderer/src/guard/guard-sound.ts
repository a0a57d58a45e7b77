import { playNotes, type Note } from '../tones.ts';

/**
 * The guard post's sounds, synthesised with WebAudio (no sound files): two bright rising notes for
 * allow, a low long buzz for deny, a repeated two-tone siren for an alarm. Distinct by pitch and rhythm,
 * so the guard knows the verdict without looking.
 */
export type GuardTone = 'allow' | 'deny' | 'alarm' | 'misread';

export const GUARD_TONES: Record<GuardTone, readonly Note[]> = {
  allow: [
    [784, 80, 'sine'],
    [1175, 120, 'sine'],
  ],
  deny: [[196, 450, 'sawtooth']],
  // Two short mid notes, the same pitch: "again", neither a yes nor a no.
  misread: [
    [523, 90, 'triangle'],
    [523, 90, 'triangle'],
  ],
  alarm: [
    [988, 150, 'square'],
    [659, 150, 'square'],
    [988, 150, 'square'],
    [659, 150, 'square'],
  ],
};

export function playGuardTone(tone: GuardTone): void {
  playNotes(GUARD_TONES[tone], { gain: 0.3, gapMs: 20 });
}
