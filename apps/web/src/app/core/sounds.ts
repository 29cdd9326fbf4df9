import { DOCUMENT, Injectable, InjectionToken, inject, signal } from '@angular/core';

/** localStorage key of the mute switch: "true" or "false". */
export const MUTED_KEY = 'pp.muted';

/** Creates the AudioContext; a token so tests can stand in for the Web Audio API jsdom lacks. */
export const AUDIO_CONTEXT_FACTORY = new InjectionToken<() => AudioContext>('AUDIO_CONTEXT_FACTORY', {
  providedIn: 'root',
  factory: () => () => new AudioContext(),
});

export type SoundName = 'submit' | 'image' | 'done';

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

/**
 * Sound cues synthesised with the Web Audio API (no files to download). Browsers only let audio
 * start after a user gesture, so the AudioContext is created on the first click or key press while
 * sound is on. Muted by default for people who ask for reduced motion, unless they chose otherwise.
 */
@Injectable({ providedIn: 'root' })
export class Sounds {
  private readonly document = inject(DOCUMENT);
  private readonly createContext = inject(AUDIO_CONTEXT_FACTORY);
  private context: AudioContext | undefined;
  private readonly isMuted = signal(this.initialMuted());
  readonly muted = this.isMuted.asReadonly();

  constructor() {
    const unlock = () => {
      if (this.isMuted() || this.context) return;
      this.context = this.createContext();
      this.document.removeEventListener('pointerdown', unlock, true);
      this.document.removeEventListener('keydown', unlock, true);
    };
    this.document.addEventListener('pointerdown', unlock, true);
    this.document.addEventListener('keydown', unlock, true);
  }

  toggleMuted(): void {
    this.isMuted.update((muted) => !muted);
    try {
      localStorage.setItem(MUTED_KEY, String(this.isMuted()));
    } catch {
      // Storage can be full or disabled (private windows); the choice then lasts for this page only.
    }
  }

  play(name: SoundName): void {
    const context = this.context;
    if (this.isMuted() || !context) return;
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

  private initialMuted(): boolean {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(MUTED_KEY);
    } catch {
      // Unreadable storage counts as no choice made.
    }
    if (stored === 'true' || stored === 'false') return stored === 'true';
    return this.document.defaultView?.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  }
}
