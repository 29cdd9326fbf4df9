import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, convertToParamMap, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { type GenerateRequest, GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { getButton, getByLabel, typeInto } from '../../testing/dom';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { Shortcuts } from '../core/shortcuts';
import { ACCEPTED, result, statusOf } from '../../testing/fake-generation';
import { generateMatcher } from '../app.routes';
import { GeneratePage, recipeFromQuery } from './generate-page';
import { ALL_INSPIRATIONS } from './inspirations';

@Component({ changeDetection: ChangeDetectionStrategy.OnPush, template: '<p>Somewhere else</p>' })
class ElsewherePage {}

describe('GeneratePage', () => {
  let harness: RouterTestingHarness;
  let fakes: GenerationFakes;

  const page = (): HTMLElement => harness.routeNativeElement as HTMLElement;
  const promptBox = (): HTMLTextAreaElement => getByLabel<HTMLTextAreaElement>(page(), 'Prompt');
  /** The prompts sent to POST /generate so far. */
  const submittedPrompts = (): string[] => fakes.api.of('generate').map((call) => (call.args[0] as GenerateRequest).prompt);
  const registered = () => TestBed.inject(Shortcuts).registered().map(({ keys, description }) => ({ keys, description }));

  async function open(url = '/'): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, GeneratePage);
  }
  /** Presses Ctrl (or ⌘) + `key` in the prompt box, as someone typing there would. */
  async function pressInPrompt(key: string, modifier: 'ctrlKey' | 'metaKey' = 'ctrlKey'): Promise<KeyboardEvent> {
    const event = new KeyboardEvent('keydown', { key, [modifier]: true, bubbles: true, cancelable: true });
    promptBox().focus();
    promptBox().dispatchEvent(event);
    await harness.fixture.whenStable();
    return event;
  }

  beforeEach(() => {
    localStorage.clear();
    fakes = provideGenerationFakes();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { matcher: generateMatcher, component: GeneratePage },
          { path: 'elsewhere', component: ElsewherePage },
        ]),
      ],
    });
  });

  it('is a form with the prompt editor and the parameters', async () => {
    await open();

    expect(page().querySelector('form')?.getAttribute('aria-label')).toBe('Generate images');
    expect(page().querySelector('form pp-prompt-editor')).not.toBeNull();
    expect(page().querySelector('form pp-parameters-panel')).not.toBeNull();
    expect(page().querySelector('pp-results-panel')).not.toBeNull();
  });

  describe('?prompt=', () => {
    it('fills the prompt box', async () => {
      await open(`/?prompt=${encodeURIComponent('A lighthouse at dawn & a "red" boat')}`);

      expect(promptBox().value).toBe('A lighthouse at dawn & a "red" boat');
    });

    it('is cut to the prompt limit', async () => {
      await open(`/?prompt=${'x'.repeat(GENERATION_LIMITS.promptMaxLength + 50)}`);

      expect(promptBox().value).toBe('x'.repeat(GENERATION_LIMITS.promptMaxLength));
    });

    it('leaves the prompt box empty when absent', async () => {
      await open('/?other=1');

      expect(promptBox().value).toBe('');
    });
  });

  it('generates when the form is submitted', async () => {
    await open('/?prompt=a%20fox');

    getButton(page(), 'Generate').click();
    await harness.fixture.whenStable();

    expect(submittedPrompts()).toEqual(['a fox']);
  });

  describe('the address', () => {
    it('moves to the job’s own address when a generation starts', async () => {
      await open('/?prompt=a%20fox');
      getButton(page(), 'Generate').click();
      await fakes.answer('generate', ACCEPTED);
      await harness.fixture.whenStable();

      expect(TestBed.inject(Router).url).toBe('/g/job-1');
      // The page stays: no second request for the job it already shows.
      expect(fakes.api.of('status')).toHaveLength(0);
    });

    it('opens the job the address names, and another one on Back or Forward', async () => {
      await open('/g/job-1');
      expect(fakes.api.last('status').args).toEqual(['job-1']);
      await fakes.answer('status', statusOf('completed', [result(0, 'completed'), result(1, 'completed')]));
      await harness.fixture.whenStable();
      expect(promptBox().value).toBe('a lighthouse at dawn');
      expect(document.title).toBe('a lighthouse at dawn · Pixel Prompt');

      await harness.navigateByUrl('/g/job-2');
      expect(fakes.api.last('status').args).toEqual(['job-2']);
      await harness.navigateByUrl('/');
      expect(page().querySelector('section[aria-label="Results"]')).toBeNull();
    });
  });

  it('reads a whole recipe from the address, ignoring what it cannot use', () => {
    const query = convertToParamMap({ prompt: 'a fox', steps: '12', guidance: '3.5', seed: '99', negativePrompt: 'blur', aspectRatio: '16:9', models: 'aurora,ink' });
    expect(recipeFromQuery(query)).toEqual({ prompt: 'a fox', steps: 12, guidance: 3.5, seed: 99, negativePrompt: 'blur', aspectRatio: '16:9', models: ['aurora', 'ink'] });
    expect(recipeFromQuery(convertToParamMap({ prompt: 'a fox', steps: 'many', aspectRatio: '2:1' }))).toEqual({
      prompt: 'a fox',
      steps: undefined,
      guidance: undefined,
      seed: undefined,
      negativePrompt: undefined,
      aspectRatio: undefined,
      models: undefined,
    });
    expect(recipeFromQuery(convertToParamMap({ steps: '12' }))).toBeUndefined();
  });

  describe('keyboard shortcuts', () => {
    it('registers the page’s three shortcuts for the help dialog', async () => {
      await open();

      expect(registered()).toEqual([
        { keys: 'Ctrl/⌘ + Enter', description: 'Generate images' },
        { keys: 'Ctrl/⌘ + E', description: 'Enhance the prompt' },
        { keys: 'Ctrl/⌘ + I', description: 'Inspire me: a random prompt' },
      ]);
    });

    it.each(['ctrlKey', 'metaKey'] as const)('generates on Ctrl/⌘ + Enter, even while typing (%s)', async (modifier) => {
      await open('/?prompt=a%20fox');

      const event = await pressInPrompt('Enter', modifier);

      expect(event.defaultPrevented).toBe(true);
      expect(submittedPrompts()).toEqual(['a fox']);
    });

    it('enhances the prompt on Ctrl/⌘ + E', async () => {
      await open('/?prompt=a%20fox');

      const event = await pressInPrompt('e');

      expect(event.defaultPrevented).toBe(true);
      expect(fakes.api.of('enhance').map((call) => call.args)).toEqual([['a fox']]);
      expect(getButton(page(), 'Enhance').getAttribute('aria-busy')).toBe('true');
    });

    it('puts an inspiration in the prompt box on Ctrl/⌘ + I', async () => {
      await open();

      const event = await pressInPrompt('i', 'metaKey');

      expect(event.defaultPrevented).toBe(true);
      expect(ALL_INSPIRATIONS).toContain(promptBox().value);
    });

    it('works on what was just typed', async () => {
      await open();
      typeInto(promptBox(), 'a red fox');

      await pressInPrompt('Enter');

      expect(submittedPrompts()).toEqual(['a red fox']);
    });

    it('removes them when the page goes away', async () => {
      await open('/?prompt=a%20fox');
      const box = promptBox();

      await harness.navigateByUrl('/elsewhere');

      expect(page().textContent).toContain('Somewhere else');
      expect(registered()).toEqual([]);
      for (const key of ['Enter', 'e', 'i']) {
        const event = new KeyboardEvent('keydown', { key, ctrlKey: true, bubbles: true, cancelable: true });
        document.body.dispatchEvent(event);
        expect(event.defaultPrevented).toBe(false);
      }
      expect(box.isConnected).toBe(false);
      expect(fakes.api.of('generate')).toHaveLength(0);
      expect(fakes.api.of('enhance')).toHaveLength(0);
    });

    it('registers them once again when the page comes back', async () => {
      await open();
      await harness.navigateByUrl('/elsewhere');

      await harness.navigateByUrl('/', GeneratePage);

      expect(registered().map(({ keys }) => keys)).toEqual(['Ctrl/⌘ + Enter', 'Ctrl/⌘ + E', 'Ctrl/⌘ + I']);
    });
  });
});
