/** One note of a tone: frequency (Hz), length (ms), waveform. */
export type Note = [freq: number, ms: number, type: OscillatorType];

let ctx: AudioContext | null = null;

/**
 * Plays a sequence of notes synthesised with WebAudio (no sound files), shared by the guard post and
 * the till. Without an audio device nothing is played: the screen still says everything.
 */
export function playNotes(notes: readonly Note[], options: { gain: number; gapMs: number }): void {
  try {
    ctx ??= new AudioContext();
    let t = ctx.currentTime + 0.005;
    for (const [freq, ms, type] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(options.gain, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + ms / 1000 + 0.02);
      t += (ms + options.gapMs) / 1000;
    }
  } catch {
    // No audio device (a kiosk without speakers).
  }
}
