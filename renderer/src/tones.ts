/** One note of a tone: frequency (Hz), length (ms), waveform. */
export type Note = [freq: number, ms: number, type: OscillatorType];
interface ToneOptions {
  gain: number;
  gapMs: number;
}

let ctx: AudioContext | null = null;
/** Each sequence rendered once into a buffer: a tap then starts one node instead of building a graph. */
const rendered = new WeakMap<readonly Note[], AudioBuffer | 'rendering'>();

/** Schedules the notes on a context from `start` (seconds): oscillator → gain envelope → destination. */
function schedule(c: BaseAudioContext, notes: readonly Note[], options: ToneOptions, start: number): void {
  let t = start;
  for (const [freq, ms, type] of notes) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(options.gain, t + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + ms / 1000);
    osc.connect(gain).connect(c.destination);
    osc.start(t);
    osc.stop(t + ms / 1000 + 0.02);
    t += (ms + options.gapMs) / 1000;
  }
}

function render(c: AudioContext, notes: readonly Note[], options: ToneOptions): void {
  rendered.set(notes, 'rendering');
  const seconds = 0.01 + notes.reduce((sum, [, ms]) => sum + (ms + options.gapMs + 20) / 1000, 0);
  const offline = new OfflineAudioContext(1, Math.ceil(seconds * c.sampleRate), c.sampleRate);
  schedule(offline, notes, options, 0.005);
  offline.startRendering().then(
    (buffer) => rendered.set(notes, buffer),
    () => rendered.delete(notes),
  );
}

/**
 * Plays a sequence of notes synthesised with WebAudio (no sound files), shared by the guard post and
 * the till. The first time a sequence plays it is built from oscillators and also rendered into a buffer
 * in the background; after that a tap starts one buffer node (a tone is on the tap's way to the screen,
 * and building the oscillator graph took 1–3 ms there). Without an audio device nothing is played: the
 * screen still says everything.
 */
export function playNotes(notes: readonly Note[], options: ToneOptions): void {
  try {
    ctx ??= new AudioContext();
    const buffer = rendered.get(notes);
    if (buffer && buffer !== 'rendering') {
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(ctx.destination);
      source.start();
      return;
    }
    schedule(ctx, notes, options, ctx.currentTime + 0.005);
    if (!buffer && typeof OfflineAudioContext === 'function') render(ctx, notes, options);
  } catch {
    // No audio device (a kiosk without speakers).
  }
}
