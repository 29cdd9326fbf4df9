import { TestBed } from '@angular/core/testing';
import { AUDIO_CONTEXT_FACTORY, MUTED_KEY, Sounds } from './sounds';

/** What one played note did, as recorded by the fake Web Audio API below. */
interface PlayedNote {
  wave: OscillatorType;
  frequency: number;
  start: number;
  stop: number;
  /** The gain node the oscillator feeds. */
  gain: FakeGain;
}

/** A gain node as the fake records it: its automation, and whether it feeds the speakers. */
interface FakeGain {
  /** Automation in call order: [method, value, time]. */
  envelope: [string, number, number][];
  routedToSpeakers: boolean;
}

/** Just enough of an AudioContext (jsdom has none) to record what Sounds asks it to play. */
class FakeAudioContext {
  currentTime = 10;
  readonly destination = { speakers: true };
  readonly notes: PlayedNote[] = [];

  createOscillator() {
    const note: PlayedNote = { wave: 'sine', frequency: 0, start: NaN, stop: NaN, gain: { envelope: [], routedToSpeakers: false } };
    this.notes.push(note);
    return {
      set type(wave: OscillatorType) {
        note.wave = wave;
      },
      frequency: {
        set value(hz: number) {
          note.frequency = hz;
        },
      },
      connect: (gain: { fake: FakeGain }) => {
        note.gain = gain.fake;
        return gain;
      },
      start: (at: number) => (note.start = at),
      stop: (at: number) => (note.stop = at),
    };
  }

  createGain() {
    const fake: FakeGain = { envelope: [], routedToSpeakers: false };
    return {
      fake,
      gain: {
        setValueAtTime: (value: number, at: number) => fake.envelope.push(['set', value, at]),
        exponentialRampToValueAtTime: (value: number, at: number) => fake.envelope.push(['ramp', value, at]),
      },
      connect: (target: unknown) => {
        fake.routedToSpeakers = target === this.destination;
        return target;
      },
    };
  }
}

describe('Sounds', () => {
  let contexts: FakeAudioContext[];

  /**
   * A fresh Sounds, as on a new page load; `reducedMotion` is what the OS asks for ('unknown': a
   * browser without matchMedia). Its audio contexts land in the `contexts` of the test creating it.
   */
  function createSounds({ reducedMotion = false as boolean | 'unknown' } = {}): Sounds {
    if (reducedMotion === 'unknown') {
      Reflect.deleteProperty(window, 'matchMedia');
    } else {
      Object.defineProperty(window, 'matchMedia', {
        configurable: true,
        value: (query: string) => ({ media: query, matches: reducedMotion && query === '(prefers-reduced-motion: reduce)' }),
      });
    }
    const created = contexts;
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        {
          provide: AUDIO_CONTEXT_FACTORY,
          useValue: () => {
            const context = new FakeAudioContext();
            created.push(context);
            return context as unknown as AudioContext;
          },
        },
      ],
    });
    return TestBed.inject(Sounds);
  }

  /** A user gesture, which is what lets a browser start audio. */
  function click(): void {
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
  }

  function notes(): PlayedNote[] {
    return contexts.flatMap((context) => context.notes);
  }

  beforeEach(() => {
    contexts = [];
    localStorage.clear();
  });

  afterEach(() => {
    localStorage.clear();
    jest.restoreAllMocks();
    Reflect.deleteProperty(window, 'matchMedia');
  });

  describe('mute switch', () => {
    it('is off by default', () => {
      expect(createSounds().muted()).toBe(false);
    });

    it('is on by default when the OS asks for reduced motion', () => {
      expect(createSounds({ reducedMotion: true }).muted()).toBe(true);
    });

    it('is off when the browser cannot answer media queries', () => {
      expect(createSounds({ reducedMotion: 'unknown' }).muted()).toBe(false);
    });

    it('follows the choice stored earlier rather than the OS preference', () => {
      localStorage.setItem(MUTED_KEY, 'false');
      expect(createSounds({ reducedMotion: true }).muted()).toBe(false);

      localStorage.setItem(MUTED_KEY, 'true');
      expect(createSounds({ reducedMotion: false }).muted()).toBe(true);
    });

    it('ignores a stored value that is not a choice', () => {
      localStorage.setItem(MUTED_KEY, 'yes please');

      expect(createSounds({ reducedMotion: true }).muted()).toBe(true);
      expect(createSounds({ reducedMotion: false }).muted()).toBe(false);
    });

    it('toggles and remembers the choice for the next visit', () => {
      const sounds = createSounds();

      sounds.toggleMuted();
      expect(sounds.muted()).toBe(true);
      expect(localStorage.getItem(MUTED_KEY)).toBe('true');
      expect(createSounds().muted()).toBe(true);

      const again = createSounds({ reducedMotion: true });
      again.toggleMuted();
      expect(again.muted()).toBe(false);
      expect(localStorage.getItem(MUTED_KEY)).toBe('false');
      expect(createSounds({ reducedMotion: true }).muted()).toBe(false);
    });

    it('still toggles when storage cannot be written or read', () => {
      jest.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      });
      jest.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
        throw new DOMException('Access denied', 'SecurityError');
      });

      const sounds = createSounds({ reducedMotion: true });
      expect(sounds.muted()).toBe(true);
      expect(() => sounds.toggleMuted()).not.toThrow();
      expect(sounds.muted()).toBe(false);
    });
  });

  describe('playing', () => {
    it('starts no audio before the first user gesture', async () => {
      const sounds = createSounds();

      await sounds.play('submit');

      expect(contexts).toHaveLength(0);
    });

    it('creates one audio context on the first click or key press and reuses it', async () => {
      const sounds = createSounds();

      click();
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
      click();
      await sounds.play('image');
      await sounds.play('image');

      expect(contexts).toHaveLength(1);
      expect(notes()).toHaveLength(2);
    });

    it('also unlocks audio on a key press', async () => {
      const sounds = createSounds();

      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      await sounds.play('image');

      expect(notes()).toHaveLength(1);
    });

    it('plays each cue as its own short melody, routed to the speakers', async () => {
      const sounds = createSounds();
      click();

      await sounds.play('submit');
      expect(notes().map((n) => [n.wave, n.frequency])).toEqual([
        ['triangle', 440],
        ['triangle', 660],
      ]);

      contexts[0].notes.length = 0;
      await sounds.play('image');
      expect(notes().map((n) => [n.wave, n.frequency])).toEqual([['sine', 1046.5]]);

      contexts[0].notes.length = 0;
      await sounds.play('done');
      expect(notes().map((n) => [n.wave, n.frequency])).toEqual([
        ['sine', 523.25],
        ['sine', 659.25],
        ['sine', 783.99],
      ]);
      expect(notes().every((n) => n.gain.routedToSpeakers)).toBe(true);
    });

    it('schedules the notes one after another from the current time, each ending shortly', async () => {
      const sounds = createSounds();
      click();

      await sounds.play('done');

      const [first, second, third] = notes();
      expect(first.start).toBe(10);
      expect(second.start).toBeGreaterThan(first.start);
      expect(third.start).toBeGreaterThan(second.start);
      for (const note of notes()) {
        expect(note.stop).toBeGreaterThan(note.start);
        expect(note.stop - note.start).toBeLessThan(0.5);
      }
    });

    it('keeps every note quiet and fades it in and out instead of clicking', async () => {
      const sounds = createSounds();
      click();

      await sounds.play('submit');

      for (const note of notes()) {
        const { envelope } = note.gain;
        const values = envelope.map(([, value]) => value);
        expect(envelope[0]).toEqual(['set', 0.0001, note.start]);
        expect(Math.max(...values)).toBeLessThanOrEqual(0.15);
        expect(values[values.length - 1]).toBe(0.0001);
        // The fade-out is over before the oscillator stops.
        expect(envelope[envelope.length - 1][2]).toBeLessThanOrEqual(note.stop);
      }
    });

    it('stays silent while muted, and does not even create an audio context', async () => {
      const sounds = createSounds({ reducedMotion: true });

      click();
      await sounds.play('done');

      expect(contexts).toHaveLength(0);
    });

    it('plays after unmuting on the next gesture, and stops again when muted', async () => {
      const sounds = createSounds({ reducedMotion: true });
      click();

      sounds.toggleMuted();
      click();
      await sounds.play('image');
      expect(notes()).toHaveLength(1);

      sounds.toggleMuted();
      await sounds.play('image');
      expect(notes()).toHaveLength(1);
    });
  });
});
