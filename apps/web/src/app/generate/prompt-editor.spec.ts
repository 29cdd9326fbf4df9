import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { getButton, getByLabel, getByRole, queryByRole, queryButton, textOf, typeInto } from '../../testing/dom';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { GenerateStore } from './generate-store';
import { Quota } from './quota';
import { ALL_INSPIRATIONS } from './inspirations';
import { CONFIRM_CLEAR_OVER, PromptEditor } from './prompt-editor';
import { PromptHistory } from './prompt-history';

const MAX = GENERATION_LIMITS.promptMaxLength;

describe('PromptEditor', () => {
  let fixture: ComponentFixture<PromptEditor>;
  let fakes: GenerationFakes;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  const promptBox = (): HTMLTextAreaElement => getByLabel<HTMLTextAreaElement>(root(), 'Prompt');
  const counter = (): HTMLElement => root().querySelector('[data-testid="prompt-counter"]') as HTMLElement;
  const historyButton = (): HTMLButtonElement => getButton(root(), 'History');

  async function type(value: string): Promise<void> {
    typeInto(promptBox(), value);
    await fixture.whenStable();
  }
  async function click(button: HTMLButtonElement): Promise<void> {
    button.click();
    await fixture.whenStable();
  }
  async function press(key: string): Promise<void> {
    (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    await fixture.whenStable();
  }
  /** Enhances the prompt in the box and answers with `enhanced`. */
  async function enhanceTo(enhanced: string): Promise<void> {
    await click(getButton(root(), 'Enhance'));
    await fakes.answer('enhance', { original: promptBox().value, enhanced });
    await fixture.whenStable();
  }

  beforeEach(async () => {
    localStorage.clear();
    fakes = provideGenerationFakes();
    TestBed.configureTestingModule({ providers: [GenerateStore] });
    fixture = TestBed.createComponent(PromptEditor);
    await fixture.whenStable();
  });

  describe('character counter', () => {
    it('counts the characters typed against the prompt limit', async () => {
      expect(textOf(counter())).toBe(`0 / ${MAX}`);
      expect(promptBox().getAttribute('maxlength')).toBe(String(MAX));
      // Read with the box, not announced on every keystroke.
      expect(promptBox().getAttribute('aria-describedby')).toBe(counter().id);
      expect(counter().hasAttribute('aria-live')).toBe(false);

      await type('a red fox');

      expect(textOf(counter())).toBe(`9 / ${MAX}`);
      expect(counter().classList).not.toContain('full');
    });

    it('is marked once the prompt reaches the limit', async () => {
      await type('x'.repeat(MAX - 1));
      expect(counter().classList).not.toContain('full');

      await type('x'.repeat(MAX));

      expect(textOf(counter())).toBe(`${MAX} / ${MAX}`);
      expect(counter().classList).toContain('full');
    });

    it('puts what is typed in the store', async () => {
      await type('a lighthouse at dawn');

      expect(TestBed.inject(GenerateStore).prompt()).toBe('a lighthouse at dawn');
    });
  });

  it('offers Generate only once there is a prompt, marked busy rather than disabled so it keeps the focus', async () => {
    const generate = getButton(root(), 'Generate');
    expect(generate.type).toBe('submit');
    expect([generate.disabled, generate.getAttribute('aria-disabled')]).toEqual([false, 'true']);

    await type('a fox');

    expect(generate.getAttribute('aria-disabled')).toBe('false');
  });

  it('shows the generations left, and when more are possible once none are', async () => {
    expect(root().querySelector('[data-testid="quota"]')).toBeNull();
    TestBed.inject(Quota).read({ get: () => '"ip";r=7;t=600' });
    await fixture.whenStable();
    expect(textOf(root().querySelector('[data-testid="quota"]'))).toBe('7 generations left');

    TestBed.inject(Quota).read({ get: () => '"ip";r=0;t=60' });
    await type('a fox');
    expect(textOf(root().querySelector('[data-testid="quota"]'))).toBe('No generations left: you can generate again in 60 seconds.');
    expect(getButton(root(), 'Generate').getAttribute('aria-disabled')).toBe('true');
  });

  describe('Clear', () => {
    it('is unavailable while the prompt is empty', async () => {
      expect(getButton(root(), 'Clear').disabled).toBe(true);

      await type('a fox');

      expect(getButton(root(), 'Clear').disabled).toBe(false);
    });

    it(`empties a prompt of up to ${CONFIRM_CLEAR_OVER} characters at once`, async () => {
      await type('x'.repeat(CONFIRM_CLEAR_OVER));

      await click(getButton(root(), 'Clear'));

      expect(queryByRole(root(), 'dialog')).toBeUndefined();
      expect(promptBox().value).toBe('');
      expect(textOf(counter())).toBe(`0 / ${MAX}`);
    });

    it(`asks first for a prompt longer than ${CONFIRM_CLEAR_OVER} characters, and Keep keeps it`, async () => {
      const long = 'y'.repeat(CONFIRM_CLEAR_OVER + 1);
      await type(long);

      await click(getButton(root(), 'Clear'));
      const dialog = getByRole(root(), 'dialog', 'Clear the prompt?');
      expect(dialog.getAttribute('aria-modal')).toBe('true');
      expect(textOf(dialog)).toContain(`Your prompt of ${CONFIRM_CLEAR_OVER + 1} characters will be removed.`);
      // Keep, not Clear, has the focus: Enter straight away must not throw the prompt away.
      expect(document.activeElement).toBe(getButton(dialog, 'Keep'));
      expect(promptBox().value).toBe(long);

      await click(getButton(dialog, 'Keep'));

      expect(queryByRole(root(), 'dialog')).toBeUndefined();
      expect(promptBox().value).toBe(long);
      expect(TestBed.inject(GenerateStore).prompt()).toBe(long);
    });

    it('clears a long prompt when the question is confirmed', async () => {
      await type('y'.repeat(CONFIRM_CLEAR_OVER + 1));
      await click(getButton(root(), 'Clear'));

      await click(getButton(getByRole(root(), 'dialog', 'Clear the prompt?'), 'Clear'));

      expect(queryByRole(root(), 'dialog')).toBeUndefined();
      expect(promptBox().value).toBe('');
      expect(textOf(counter())).toBe(`0 / ${MAX}`);
      // Not the Clear button, disabled now: the prompt box, ready for the next prompt.
      expect(document.activeElement).toBe(promptBox());
    });

    it('keeps a long prompt when the question is dismissed with Escape', async () => {
      const long = 'y'.repeat(CONFIRM_CLEAR_OVER + 1);
      await type(long);
      await click(getButton(root(), 'Clear'));

      await press('Escape');

      expect(queryByRole(root(), 'dialog')).toBeUndefined();
      expect(promptBox().value).toBe(long);
    });

    it('also drops an enhanced suggestion waiting for Use or Discard', async () => {
      await type('a fox');
      await enhanceTo('a red fox in morning mist');
      expect(queryByRole(root(), 'region', 'Enhanced prompt')).toBeDefined();

      await click(getButton(root(), 'Clear'));

      expect(queryByRole(root(), 'region', 'Enhanced prompt')).toBeUndefined();
    });
  });

  describe('Inspire me', () => {
    it('fills the prompt box with an inspiration, a different one on every click', async () => {
      await click(getButton(root(), 'Inspire me'));
      const first = promptBox().value;
      expect(ALL_INSPIRATIONS).toContain(first);
      expect(textOf(counter())).toBe(`${first.length} / ${MAX}`);

      await click(getButton(root(), 'Inspire me'));

      expect(ALL_INSPIRATIONS).toContain(promptBox().value);
      expect(promptBox().value).not.toBe(first);
    });
  });

  describe('Enhance', () => {
    it('is unavailable without a prompt, blanks included', async () => {
      expect(getButton(root(), 'Enhance').disabled).toBe(true);

      await type('   ');
      expect(getButton(root(), 'Enhance').disabled).toBe(true);

      await type('a fox');
      expect(getButton(root(), 'Enhance').disabled).toBe(false);
    });

    it('sends the trimmed prompt and shows that it is busy until the answer arrives', async () => {
      await type('  a fox  ');

      await click(getButton(root(), 'Enhance'));

      expect(fakes.api.last('enhance').args).toEqual(['a fox']);
      const enhance = getButton(root(), 'Enhance');
      expect(enhance.disabled).toBe(true);
      expect(enhance.getAttribute('aria-busy')).toBe('true');
      expect(textOf(getByRole(root(), 'status'))).toBe('Enhancing your prompt…');

      await fakes.answer('enhance', { original: 'a fox', enhanced: 'a red fox in morning mist' });
      await fixture.whenStable();

      expect(enhance.disabled).toBe(false);
      expect(enhance.getAttribute('aria-busy')).toBe('false');
      expect(queryByRole(root(), 'status')).toBeUndefined();
    });

    it('shows the enhanced prompt in its own region, and Use puts it in the prompt box', async () => {
      await type('a fox');
      await enhanceTo('a red fox in morning mist');

      const region = getByRole(root(), 'region', 'Enhanced prompt');
      expect(textOf(region.querySelector('h2'))).toBe('Enhanced prompt');
      expect(textOf(region.querySelector('p'))).toBe('a red fox in morning mist');
      expect(promptBox().value).toBe('a fox');

      await click(getButton(region, 'Use'));

      expect(promptBox().value).toBe('a red fox in morning mist');
      expect(textOf(counter())).toBe(`25 / ${MAX}`);
      expect(queryByRole(root(), 'region', 'Enhanced prompt')).toBeUndefined();
    });

    it('drops the enhanced prompt on Discard and keeps the original', async () => {
      await type('a fox');
      await enhanceTo('a red fox in morning mist');

      await click(getButton(getByRole(root(), 'region', 'Enhanced prompt'), 'Discard'));

      expect(queryByRole(root(), 'region', 'Enhanced prompt')).toBeUndefined();
      expect(promptBox().value).toBe('a fox');
    });
  });

  describe('History', () => {
    it('is a disclosure button that says when there are no prompts yet', async () => {
      expect(historyButton().getAttribute('aria-expanded')).toBe('false');
      // It names the list only while the list exists.
      expect(historyButton().hasAttribute('aria-controls')).toBe(false);
      expect(root().querySelector('#prompt-history')).toBeNull();

      await click(historyButton());

      expect(historyButton().getAttribute('aria-expanded')).toBe('true');
      expect(historyButton().getAttribute('aria-controls')).toBe('prompt-history');
      expect(textOf(root().querySelector('#prompt-history'))).toContain('No prompts yet.');
      expect(queryByRole(root(), 'list', 'Prompt history')).toBeUndefined();

      await click(historyButton());

      expect(historyButton().getAttribute('aria-expanded')).toBe('false');
      expect(root().querySelector('#prompt-history')).toBeNull();
    });

    it('lists earlier prompts, newest first, and puts the one picked back in the prompt box', async () => {
      const history = TestBed.inject(PromptHistory);
      history.add('a lighthouse at dawn');
      history.add('a red fox in the snow');
      await type('something else');

      await click(historyButton());
      const list = getByRole(root(), 'list', 'Prompt history');
      expect(Array.from(list.querySelectorAll('button')).map(textOf)).toEqual(['a red fox in the snow', 'a lighthouse at dawn']);

      await click(getButton(list, 'a lighthouse at dawn'));

      expect(promptBox().value).toBe('a lighthouse at dawn');
      expect(textOf(counter())).toBe(`20 / ${MAX}`);
      expect(TestBed.inject(GenerateStore).prompt()).toBe('a lighthouse at dawn');
      expect(historyButton().getAttribute('aria-expanded')).toBe('false');
      expect(queryButton(root(), 'a red fox in the snow')).toBeUndefined();
    });
  });
});
