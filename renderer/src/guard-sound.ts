/**
 * The guard post's sounds, synthesised with WebAudio (no sound files): two bright rising notes for
 * allow, a low long buzz for deny, a repeated two-tone siren for an alarm. Distinct by pitch and rhythm,
 * so the guard knows the verdict without looking.
 */
export type GuardTone = 'allow' | 'deny' | 'alarm';

const SEQUENCES: Record<GuardTone, [freq: number, ms: number, type: OscillatorType][]> = {
  allow: [
    [784, 80, 'sine'],
    [1175, 120, 'sine'],
  ],
  deny: [[196, 450, 'sawtooth']],
  alarm: [
    [988, 150, 'square'],
    [659, 150, 'square'],
    [988, 150, 'square'],
    [659, 150, 'square'],
  ],
};

let ctx: AudioContext | null = null;

export function playGuardTone(tone: GuardTone): void {
  document.documentElement.dataset.lastGuardTone = tone;
  try {
    ctx ??= new AudioContext();
    let t = ctx.currentTime + 0.005;
    for (const [freq, ms, type] of SEQUENCES[tone]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + ms / 1000 + 0.02);
      t += ms / 1000 + 0.02;
    }
  } catch {
    // No audio device: the screen still says everything (colour + icon + word).
  }
}
