import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { GENERATION_LIMITS, type ModelsResponse } from '@pixel-prompt/contracts';
import { descriptionOf, getButton, getByLabel, textOf, toggleDetails, typeInto } from '../../testing/dom';
import { MODELS } from '../../testing/fake-generation';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { ApiFailure } from '../core/api-client';
import { Toasts } from '../core/toasts';
import { GenerateStore } from './generate-store';
import { ParametersPanel } from './parameters-panel';

const { steps, guidance, seed } = GENERATION_LIMITS;
const CHECKING = 'Checking which models use this…';
const SEED_NOTE = 'Empty: a new seed every time.';

/** Three models that honour different parameters. */
const MIXED: ModelsResponse = {
  models: [
    { id: 'aurora', displayName: 'Aurora', capabilities: { size: true, seed: true, steps: true, guidance: true, negativePrompt: true } },
    { id: 'nimbus', displayName: 'Nimbus', capabilities: { size: true, seed: true, steps: false, guidance: false, negativePrompt: false } },
    { id: 'comet', displayName: 'Comet', capabilities: { size: false, seed: false, steps: true, guidance: false, negativePrompt: false } },
  ],
};

type Field = 'Steps' | 'Guidance' | 'Seed';

describe('ParametersPanel', () => {
  let fixture: ComponentFixture<ParametersPanel>;
  let fakes: GenerationFakes;
  let store: GenerateStore;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  const field = (name: Field): HTMLInputElement => getByLabel(root(), name);
  /** The ids the field's aria-describedby names, each of which must exist. */
  function describedBy(name: Field): string[] {
    const ids = field(name).getAttribute('aria-describedby')?.split(/\s+/) ?? [];
    for (const id of ids) expect(document.getElementById(id)).not.toBeNull();
    return ids;
  }
  const hint = (name: Field): string => textOf(root().querySelector(`#${describedBy(name)[0]}`));
  const error = (name: Field): string => textOf(root().querySelector(`#${describedBy(name)[1]}`));

  async function type(name: Field, value: string): Promise<void> {
    typeInto(field(name), value);
    await fixture.whenStable();
  }
  async function modelsArrive(models: ModelsResponse): Promise<void> {
    await fakes.answer('models', models);
    await fixture.whenStable();
  }

  beforeEach(async () => {
    localStorage.clear();
    fakes = provideGenerationFakes();
    TestBed.configureTestingModule({ providers: [GenerateStore] });
    store = TestBed.inject(GenerateStore);
    fixture = TestBed.createComponent(ParametersPanel);
    await fixture.whenStable();
    // The fields exist once the disclosure is open.
    toggleDetails(root().querySelector('details'));
    await fixture.whenStable();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('makes its fields only when opened', async () => {
    toggleDetails(root().querySelector('details'), false);
    await fixture.whenStable();
    expect(root().querySelector('input')).toBeNull();
  });

  it('is a group of labelled number fields, showing the defaults and the limits', () => {
    expect(textOf(root().querySelector('details summary'))).toBe('Advanced');

    expect([field('Steps').type, field('Guidance').type, field('Seed').type]).toEqual(['number', 'number', 'number']);
    expect([field('Steps').value, field('Steps').min, field('Steps').max, field('Steps').step]).toEqual([
      String(steps.default),
      String(steps.min),
      String(steps.max),
      '1',
    ]);
    expect([field('Guidance').value, field('Guidance').min, field('Guidance').max]).toEqual([
      String(guidance.default),
      String(guidance.min),
      String(guidance.max),
    ]);
    expect([field('Seed').value, field('Seed').placeholder, field('Seed').min, field('Seed').max]).toEqual([
      '',
      'Random',
      String(seed.min),
      String(seed.max),
    ]);
  });

  describe('typing', () => {
    it('puts the steps, guidance and seed in the store', async () => {
      await type('Steps', '40');
      await type('Guidance', '7.5');
      await type('Seed', '12345');

      expect([store.steps(), store.guidance(), store.seed()]).toEqual([40, 7.5, 12345]);
    });

    it('leaves the seed to the server when the field is emptied', async () => {
      await type('Seed', '12345');

      await type('Seed', '');

      expect(store.seed()).toBeNull();
      expect(store.parameterErrors()).toEqual({});
    });
  });

  describe('validation', () => {
    it('starts with no errors, every field valid', () => {
      for (const name of ['Steps', 'Guidance', 'Seed'] as const) {
        expect(field(name).getAttribute('aria-invalid')).toBe('false');
        expect(error(name)).toBe('');
      }
    });

    it.each<[Field, string, string]>([
      ['Steps', String(steps.min - 1), `Steps must be a whole number from ${steps.min} to ${steps.max}.`],
      ['Steps', String(steps.max + 1), `Steps must be a whole number from ${steps.min} to ${steps.max}.`],
      ['Steps', '2.5', `Steps must be a whole number from ${steps.min} to ${steps.max}.`],
      ['Steps', '', `Steps must be a whole number from ${steps.min} to ${steps.max}.`],
      ['Guidance', String(guidance.max + 0.5), `Guidance must be a number from ${guidance.min} to ${guidance.max}.`],
      ['Guidance', '', `Guidance must be a number from ${guidance.min} to ${guidance.max}.`],
      ['Seed', '-1', `Seed must be empty or a whole number from ${seed.min} to ${seed.max}.`],
      ['Seed', '1.5', `Seed must be empty or a whole number from ${seed.min} to ${seed.max}.`],
    ])('shows the error for %s "%s", marks the field invalid and links the error to it', async (name, value, message) => {
      await type(name, value);

      expect(field(name).getAttribute('aria-invalid')).toBe('true');
      expect(describedBy(name)).toHaveLength(2);
      expect(error(name)).toBe(message);
      expect(descriptionOf(field(name))).toContain(message);
      // Only the field in error is marked.
      const others = (['Steps', 'Guidance', 'Seed'] as const).filter((other) => other !== name);
      for (const other of others) expect(field(other).getAttribute('aria-invalid')).toBe('false');
    });

    it('clears the error once the value is fixed', async () => {
      await type('Steps', String(steps.max + 1));
      expect(field('Steps').getAttribute('aria-invalid')).toBe('true');

      await type('Steps', String(steps.max));

      expect(field('Steps').getAttribute('aria-invalid')).toBe('false');
      expect(error('Steps')).toBe('');
      expect(descriptionOf(field('Steps'))).not.toContain('must be');
    });
  });

  describe('Randomise seed', () => {
    it('puts a random whole seed in the field and the store', async () => {
      jest.spyOn(Math, 'random').mockReturnValue(0.25);
      const expected = Math.floor(0.25 * (seed.max + 1));

      getButton(root(), 'Randomise seed').click();
      await fixture.whenStable();

      expect(store.seed()).toBe(expected);
      expect(field('Seed').value).toBe(String(expected));
      expect(field('Seed').getAttribute('aria-invalid')).toBe('false');
    });

    it('replaces a seed typed before, and again on every click', async () => {
      await type('Seed', '-5');
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);

      getButton(root(), 'Randomise seed').click();
      await fixture.whenStable();
      expect(field('Seed').value).toBe(String(Math.floor(0.5 * (seed.max + 1))));
      expect(error('Seed')).toBe('');

      random.mockReturnValue(0.75);
      getButton(root(), 'Randomise seed').click();
      await fixture.whenStable();
      expect(field('Seed').value).toBe(String(Math.floor(0.75 * (seed.max + 1))));
      expect(store.seed()).toBe(Math.floor(0.75 * (seed.max + 1)));
    });
  });

  describe('which models honour each control', () => {
    it('says it is still checking before the models arrive', () => {
      expect(hint('Steps')).toBe(CHECKING);
      expect(hint('Guidance')).toBe(CHECKING);
      expect(hint('Seed')).toBe(`${CHECKING} ${SEED_NOTE}`);
      expect(descriptionOf(field('Steps'))).toBe(CHECKING);
    });

    it('says it cannot tell when the model list failed to load, and checks again on Retry', async () => {
      await fakes.fail('models', new ApiFailure('/api/models', 0, undefined));
      await fixture.whenStable();
      expect(hint('Steps')).toBe('Which models use this is not known: the model list could not be loaded.');

      TestBed.inject(Toasts).toasts()[0]?.retry?.();
      await fixture.whenStable();
      expect(hint('Steps')).toBe(CHECKING);
      await modelsArrive(MIXED);
      expect(hint('Steps')).toBe('Used by Aurora, Comet.');
    });

    it('names the models that use each control, from their capabilities', async () => {
      await modelsArrive(MIXED);

      expect(hint('Steps')).toBe('Used by Aurora, Comet.');
      expect(hint('Guidance')).toBe('Used by Aurora.');
      expect(hint('Seed')).toBe(`Used by Aurora, Nimbus. ${SEED_NOTE}`);
      expect(descriptionOf(field('Guidance'))).toBe('Used by Aurora.');
    });

    it('says when no current model uses a control', async () => {
      await modelsArrive(MODELS);

      expect(hint('Steps')).toBe('None of the chosen models use this.');
      expect(hint('Guidance')).toBe('None of the chosen models use this.');
      expect(hint('Seed')).toBe(`Used by Aurora, Nimbus. ${SEED_NOTE}`);
    });
  });

  describe('shape and negative prompt', () => {
    const shape = () => root().querySelector<HTMLSelectElement>('#aspect-ratio');
    const negative = () => root().querySelector<HTMLInputElement>('#negative-prompt');

    it('appear only while a chosen model can use them, each naming those models', async () => {
      await modelsArrive(MIXED);
      expect(descriptionOf(shape() as HTMLElement)).toBe('Used by Aurora, Nimbus.');
      expect(descriptionOf(negative() as HTMLElement)).toBe('Used by Aurora.');

      store.chooseModel('aurora', false);
      await fixture.whenStable();
      expect(shape()).not.toBeNull();
      expect(negative()).toBeNull();

      store.chooseModel('nimbus', false);
      await fixture.whenStable();
      expect(shape()).toBeNull();
    });

    it('put what is picked and typed in the store', async () => {
      await modelsArrive(MIXED);
      const select = shape() as HTMLSelectElement;
      select.value = '16:9';
      select.dispatchEvent(new Event('change'));
      typeInto(negative() as HTMLInputElement, 'text, watermark');
      await fixture.whenStable();
      expect([store.aspectRatio(), store.negativePrompt()]).toEqual(['16:9', 'text, watermark']);
    });
  });

  it('shows the values of a recipe put in the form (a job opened, a Re-run)', async () => {
    await modelsArrive(MIXED);
    store.applyRecipe({ prompt: 'a fox', steps: 40, guidance: 2.5, seed: 77, negativePrompt: 'blur', aspectRatio: '3:4' });
    await fixture.whenStable();
    expect([field('Steps').value, field('Guidance').value, field('Seed').value]).toEqual(['40', '2.5', '77']);
    expect([root().querySelector<HTMLSelectElement>('#aspect-ratio')?.value, root().querySelector<HTMLInputElement>('#negative-prompt')?.value]).toEqual([
      '3:4',
      'blur',
    ]);
  });
});
