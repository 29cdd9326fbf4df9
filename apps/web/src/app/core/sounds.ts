import { DOCUMENT, Injectable, InjectionToken, inject, signal } from '@angular/core';

/** localStorage key of the mute switch: "true" or "false". */
export const MUTED_KEY = 'pp.muted';

/** Creates the AudioContext; a token so tests can stand in for the Web Audio API jsdom lacks. */
export const AUDIO_CONTEXT_FACTORY = new InjectionToken<() => AudioContext>('AUDIO_CONTEXT_FACTORY', {
  providedIn: 'root',
  factory: () => () => new AudioContext(),
});

export type SoundName = 'submit' | 'image' | 'done';

/**
 * Sound cues synthesised with the Web Audio API: no files to download, and the synthesiser
 * (sound-cues.ts) is a lazy chunk of its own. Browsers only let audio start after a user gesture, so
 * the AudioContext is created on the first click or key press while sound is on. Muted by default
 * for people who ask for reduced motion, unless they chose otherwise.
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

  /** Plays a cue unless muted; the synthesiser is loaded on the first cue, not with the app. */
  async play(name: SoundName): Promise<void> {
    const context = this.context;
    if (this.isMuted() || !context) return;
    try {
      const { playCue } = await import('./sound-cues');
      if (!this.isMuted()) playCue(context, name);
    } catch {
      // A sound that cannot load (offline) is not worth an error: the page shows what happened.
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
