import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { getButton, getByLabel, textOf, toggleDetails } from '../../testing/dom';
import { MODELS } from '../../testing/fake-generation';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { GenerateStore, MODELS_KEY } from './generate-store';
import { ModelPicker } from './model-picker';

describe('ModelPicker', () => {
  let fixture: ComponentFixture<ModelPicker>;
  let fakes: GenerationFakes;
  let store: GenerateStore;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  const summary = (): string => textOf(root().querySelector('summary'));
  const box = (name: string): HTMLInputElement => getByLabel(root(), name);

  async function openPicker(): Promise<void> {
    toggleDetails(root().querySelector('details'));
    await fixture.whenStable();
  }

  beforeEach(async () => {
    localStorage.clear();
    fakes = provideGenerationFakes();
    TestBed.configureTestingModule({ providers: [GenerateStore] });
    store = TestBed.inject(GenerateStore);
    fixture = TestBed.createComponent(ModelPicker);
    await fixture.whenStable();
  });

  it('says how many models will be used, and lists them once opened', async () => {
    expect(summary()).toBe('Models');
    await fakes.answer('models', MODELS);
    await fixture.whenStable();
    expect(summary()).toBe('Models: all 2');
    expect(root().querySelector('input')).toBeNull();

    await openPicker();
    expect([box('Aurora').checked, box('Nimbus').checked]).toEqual([true, true]);
    expect(getButton(root(), 'Use all models').disabled).toBe(true);
  });

  it('takes a subset, remembered, asks for at least one, and goes back to all', async () => {
    await fakes.answer('models', MODELS);
    await openPicker();

    box('Nimbus').click();
    await fixture.whenStable();
    expect([summary(), localStorage.getItem(MODELS_KEY)]).toEqual(['Models: 1 of 2', '["aurora"]']);
    box('Aurora').click();
    await fixture.whenStable();
    expect(textOf(root().querySelector('[role="alert"]'))).toBe('Pick at least one model to generate.');
    expect(store.canGenerate()).toBe(false);

    getButton(root(), 'Use all models').click();
    await fixture.whenStable();
    expect([summary(), localStorage.getItem(MODELS_KEY), box('Aurora').checked]).toEqual(['Models: all 2', null, true]);
  });

  it('says every model will be used when the list cannot be loaded', async () => {
    await fakes.fail('models', new Error('offline'));
    await openPicker();
    expect(textOf(root().querySelector('.note'))).toBe('The model list could not be loaded: every model will be used.');
  });
});
