/**
 * The till's sounds, synthesised with WebAudio (no sound files): a short beep for a photo check, a
 * distinct rising three-tone alarm when the child has an allergy on record, a low tone for a refusal,
 * two bright notes for a sale paid.
 */
export type Tone = 'check' | 'allergy' | 'deny' | 'paid';

const SEQUENCES: Record<Tone, [freq: number, ms: number, type: OscillatorType][]> = {
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

let ctx: AudioContext | null = null;

/** The last tone asked for, for tests and for a screen reader's sake. */
export function lastTone(): Tone | null {
  return (document.documentElement.dataset.lastTone as Tone | undefined) ?? null;
}

export function playTone(tone: Tone): void {
  document.documentElement.dataset.lastTone = tone;
  try {
    ctx ??= new AudioContext();
    let t = ctx.currentTime + 0.01;
    for (const [freq, ms, type] of SEQUENCES[tone]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + ms / 1000 + 0.02);
      t += ms / 1000 + 0.03;
    }
  } catch {
    // No audio device (a kiosk without speakers): the screen still says everything.
  }
}
