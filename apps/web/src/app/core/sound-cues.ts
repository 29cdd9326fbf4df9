import type { SoundName } from './sounds';

/** One tone: frequency (Hz), start offset and length (seconds). */
interface Note {
  frequency: number;
  at: number;
  length: number;
}

/** Short, quiet cues: a rising blip on submit, a soft ping per image, a major arpeggio when all are in. */
const CUES: Record<SoundName, { wave: OscillatorType; notes: Note[] }> = {
  submit: {
    wave: 'triangle',
    notes: [
      { frequency: 440, at: 0, length: 0.08 },
      { frequency: 660, at: 0.07, length: 0.12 },
    ],
  },
  image: { wave: 'sine', notes: [{ frequency: 1046.5, at: 0, length: 0.18 }] },
  done: {
    wave: 'sine',
    notes: [
      { frequency: 523.25, at: 0, length: 0.16 },
      { frequency: 659.25, at: 0.12, length: 0.16 },
      { frequency: 783.99, at: 0.24, length: 0.3 },
    ],
  },
};

const PEAK_GAIN = 0.15;
const ATTACK_SECONDS = 0.01;

/** Plays one cue on `context`, starting now. */
export function playCue(context: AudioContext, name: SoundName): void {
  const cue = CUES[name];
  const start = context.currentTime;
  for (const note of cue.notes) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = cue.wave;
    oscillator.frequency.value = note.frequency;
    // A fast attack and an exponential decay: a soft "ping" instead of a click.
    gain.gain.setValueAtTime(0.0001, start + note.at);
    gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, start + note.at + ATTACK_SECONDS);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + note.at + note.length);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + note.at);
    oscillator.stop(start + note.at + note.length + 0.02);
  }
}
