import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { type GenerateRequest, GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { getButton, getByLabel, typeInto } from '../../testing/dom';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { Shortcuts } from '../core/shortcuts';
import { GeneratePage } from './generate-page';
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
          { path: '', component: GeneratePage },
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
