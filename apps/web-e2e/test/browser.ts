import { spawnSync } from 'node:child_process';
import type { AxeResults } from 'axe-core';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, chromium } from 'playwright-core';
import { type StackOptions, type TestModel, WebStack } from './stack';

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 360, height: 740 };

/** Flags for a quiet, headless Chromium in a container: no sandbox, no GPU, no calls home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium (tools/ci/test.sh installs it on a fresh machine). */
function chromiumPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(
      'chromium is not installed: run `bash tools/system/ensure-packages.sh chromium=chromium` (npm test does)',
    );
  }
  return path;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * The set-up every file of these tests shares: the stack (started with `options`) and Chromium come
 * up before the file's tests and go after them; every page a test opens lives in a context of its
 * own, closed after that test.
 */
export function stackInChromium(options?: StackOptions): {
  /** The running stack. */
  stack: () => WebStack;
  /**
   * Opens `path` of the stack's site in a fresh context (no storage shared with other pages);
   * `options` adds to the context's (device scale, colour scheme, permissions).
   */
  open: (path?: string, viewport?: typeof DESKTOP, options?: BrowserContextOptions) => Promise<Page>;
  /** Chromium, for tests that need contexts of their own (two visitors, a shared link). */
  browser: () => Browser;
} {
  let stack: WebStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    stack = await WebStack.start(options);
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  return {
    stack: () => stack,
    open: async (path = '/', viewport, options) => {
      const { context, page } = await openPage(browser, stack.url + path, viewport, options);
      contexts.push(context);
      return page;
    },
    browser: () => browser,
  };
}

/** A fresh context (no storage shared with other tests) and its page. */
async function openPage(
  browser: Browser,
  url: string,
  viewport = DESKTOP,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
    ...options,
  });
  // Long enough for a whole generation on a busy two-core machine; short enough to fail in one test's time.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

export function promptBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Prompt', exact: true });
}

export function button(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('button', { name, exact: true });
}

export function modelCards(page: Page): Locator {
  return page.getByRole('region', { name: 'Results', exact: true }).getByTestId('model-card');
}

export function modelCard(page: Page, model: TestModel): Locator {
  return modelCards(page).filter({
    has: page.getByRole('heading', { name: model.displayName, exact: true }),
  });
}

/** The model's card once it is in `state` (pending, in_progress, completed, error, canceled). */
export function cardIn(page: Page, model: TestModel, state: string): Locator {
  return modelCard(page, model).and(page.locator(`[data-state="${state}"]`));
}

/** The results' progress summary (a polite live region) once its text matches. */
export function progress(page: Page, text: RegExp): Locator {
  return page.getByRole('status').and(page.getByTestId('progress')).filter({ hasText: text });
}

/** An error toast in the notifications region whose text matches. */
export function errorToast(page: Page, text: RegExp): Locator {
  return page
    .getByRole('region', { name: 'Notifications', exact: true })
    .getByRole('alert')
    .filter({ hasText: text });
}

/** Waits until the image has loaded, and returns its natural width (0 for a broken image). */
export async function loadedWidth(image: Locator): Promise<number> {
  await image.scrollIntoViewIfNeeded();
  const handle = await image.elementHandle();
  await image.page().waitForFunction((img) => img instanceof HTMLImageElement && img.complete, handle);
  return image.evaluate((img) => (img as HTMLImageElement).naturalWidth);
}

/** Waits until the prompt box holds something other than `previous` (the page updates it asynchronously); returns it. */
export async function changedPrompt(page: Page, previous: string): Promise<string> {
  const box = await promptBox(page).elementHandle();
  await page.waitForFunction(([element, old]) => (element as HTMLTextAreaElement).value !== old, [
    box,
    previous,
  ] as const);
  return promptBox(page).inputValue();
}

/**
 * Submits a generation through the public API, as another client would, and waits until its event
 * stream ends (the job has ended); returns its id.
 */
export async function generateThroughApi(siteUrl: string, body: Record<string, unknown>): Promise<string> {
  const answer = await fetch(`${siteUrl}/api/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (answer.status !== 202) throw new Error(`POST /generate answered ${answer.status}: ${await answer.text()}`);
  const { jobId, eventsUrl } = (await answer.json()) as { jobId: string; eventsUrl: string };
  const stream = await (await fetch(`${siteUrl}/api${eventsUrl}`)).text();
  if (!/^event: completed$/m.test(stream)) throw new Error(`the event stream of ${jobId} ended without completing`);
  return jobId;
}

/** Fills the prompt box and clicks Generate. */
export async function generate(page: Page, prompt: string): Promise<void> {
  await promptBox(page).fill(prompt);
  await button(page, 'Generate').click();
}

export type ImageOutcome = 'loaded' | 'broken';

/**
 * Waits until the progress says every model is done and each model's card is completed, then says
 * of each card's image whether it really loaded, by model display name.
 */
export async function generatedImages(
  page: Page,
  models: readonly TestModel[],
  prompt: string,
): Promise<Record<string, ImageOutcome>> {
  await progress(page, new RegExp(`\\bAll ${models.length} done\\b`)).waitFor();
  const outcomes: Record<string, ImageOutcome> = {};
  for (const model of models) {
    const card = modelCard(page, model).and(page.locator('[data-state="completed"]'));
    await card.waitFor();
    const width = await loadedWidth(
      card.getByRole('img', { name: `${model.displayName}: ${prompt}`, exact: true }),
    );
    outcomes[model.displayName] = width > 0 ? 'loaded' : 'broken';
  }
  return outcomes;
}

/** What generatedImages answers when everything worked. */
export function allLoaded(models: readonly TestModel[]): Record<string, ImageOutcome> {
  return Object.fromEntries(models.map((m) => [m.displayName, 'loaded' as const]));
}

/** The width of the page's content: wider than the viewport means it scrolls sideways. */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
}

/** Runs axe-core in the page and describes each violation on one line (rule, impact, offending elements). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe;
    const results = await axe.run(document);
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}
