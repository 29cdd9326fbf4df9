import { TestBed } from '@angular/core/testing';
import { type SoundName, Sounds } from '../app/core/sounds';
import { EVENT_SOURCE_FACTORY } from '../app/generate/generate-store';
import { GenerationApi } from '../app/generate/generation-api';
import { FakeEventSource, FakeGenerationApi } from './fake-generation';

/** What a GenerateStore talks to, as fakes the test drives. */
export interface GenerationFakes {
  readonly api: FakeGenerationApi;
  /** The sounds the store played, in order. */
  readonly sounds: SoundName[];
  /** The event stream opened last; fails the test when none was. */
  stream(): FakeEventSource;
  /**
   * Answers the last call of `method` with `value`; resolves once the caller's own callback has run
   * (it was attached first), so a following `whenStable()` sees the change it made.
   */
  answer(method: string, value: unknown): Promise<void>;
  /** Fails the last call of `method` with `error`, like answer(). */
  fail(method: string, error: unknown): Promise<void>;
}

/**
 * Provides GenerationApi, the event-stream factory and Sounds as fakes in the current TestBed.
 * GenerateStore itself is provided by the test (or by the page under test), as in the app.
 */
export function provideGenerationFakes(): GenerationFakes {
  const api = new FakeGenerationApi();
  const streams: FakeEventSource[] = [];
  const sounds: SoundName[] = [];
  TestBed.configureTestingModule({
    providers: [
      { provide: GenerationApi, useValue: api },
      { provide: Sounds, useValue: { play: (name: SoundName) => sounds.push(name) } },
      {
        provide: EVENT_SOURCE_FACTORY,
        useValue: (url: string) => {
          const source = new FakeEventSource(url);
          streams.push(source);
          return source as unknown as EventSource;
        },
      },
    ],
  });
  return {
    api,
    sounds,
    stream: () => {
      const last = streams[streams.length - 1];
      if (!last) throw new Error('No event stream was opened');
      return last;
    },
    answer: async (method, value) => {
      const { answer } = api.last(method);
      answer.resolve(value);
      await answer.promise;
    },
    fail: async (method, error) => {
      const { answer } = api.last(method);
      answer.reject(error);
      await answer.promise.catch(() => undefined);
    },
  };
}
