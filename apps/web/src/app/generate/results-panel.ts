import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  linkedSignal,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { ModelResult } from '@pixel-prompt/contracts';
import { RuntimeConfig } from '../core/runtime-config';
import { tileSrcset } from '../core/tiles';
import { Toasts } from '../core/toasts';
import { CompareView } from '../compare/compare-view';
import { copyLink } from '../viewer/copy-link';
import { imageFileName } from '../viewer/image-files';
import { ImageViewer } from '../viewer/image-viewer';
import type { ViewerImage } from '../viewer/viewer-image';
import { downloadAllAsZip } from '../viewer/zip-download';
import { GenerateStore, type ResultCounts } from './generate-store';
import { type CardImages, ModelCard } from './model-card';

/** A zip name a file system accepts, from the prompt: "lighthouse-on-a-cliff.zip". */
export function zipNameFor(prompt: string): string {
  const slug = prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return `${slug || 'pixel-prompt'}.zip`;
}

/**
 * "4 of 9 done · 1 failed · 2 generating · 2 waiting": every outcome counted on its own, so failed
 * and canceled models never pass for done ones; "All 9 done" when nothing else happened.
 */
export function progressSummary(counts: ResultCounts, running: boolean): string {
  const { total, done, failed, canceled, generating, waiting } = counts;
  if (total === 0) return running ? 'Starting…' : '';
  if (done === total) return `All ${total} done`;
  const parts = [`${done} of ${total} done`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (canceled > 0) parts.push(`${canceled} canceled`);
  if (generating > 0) parts.push(`${generating} generating`);
  if (waiting > 0) parts.push(`${waiting} waiting`);
  return parts.join(' · ');
}

/** The job's cards with progress, Cancel, Copy link, the viewer, Compare and Download all. */
@Component({
  selector: 'pp-results-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ModelCard, ImageViewer, CompareView],
  templateUrl: './results-panel.html',
  styleUrl: './results-panel.css',
})
export class ResultsPanel {
  protected readonly store = inject(GenerateStore);
  private readonly config = inject(RuntimeConfig);
  private readonly toasts = inject(Toasts);
  private readonly document = inject(DOCUMENT);
  private readonly injector = inject(Injector);
  private readonly section = viewChild<ElementRef<HTMLElement>>('results');
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');

  /** Ticks every second while a model is generating, for the elapsed times. */
  protected readonly now = signal(Date.now());
  /** Result indices checked for comparison; cleared for every new job. */
  protected readonly selected = linkedSignal<unknown, number[]>({ source: this.store.job, computation: () => [] });
  protected readonly viewerOpen = signal(false);
  protected readonly viewerIndex = signal(0);
  protected readonly comparing = signal(false);
  protected readonly downloading = signal(false);
  protected readonly progress = computed(() => progressSummary(this.store.counts(), this.store.running()));

  /** The finished images in card order, as the viewer, compare view and zip take them. */
  protected readonly images = computed(() =>
    this.store.completed().map((result) => ({ result, image: this.toViewerImage(result) })),
  );
  protected readonly viewerImages = computed(() => this.images().map(({ image }) => image));
  protected readonly comparePair = computed(() => {
    const chosen = this.images().filter(({ result }) => this.selected().includes(result.index));
    const [first, second, ...more] = chosen;
    return first && second && more.length === 0 ? ([first.image, second.image] as const) : undefined;
  });

  /** Whether a model is generating: the clock ticks only then. */
  private readonly generating = computed(() => this.store.results().some((result) => result.status === 'in_progress'));

  constructor() {
    // On the boolean, not the results: every result that arrives would otherwise restart the clock.
    effect((onCleanup) => {
      if (!this.generating()) return;
      const timer = setInterval(() => this.now.set(Date.now()), 1000);
      onCleanup(() => clearInterval(timer));
    });
    // A generation started here: its results come into view and take the focus, so keyboard and
    // screen-reader users land on them (the heading is read, then the progress as it changes).
    effect(() => {
      if (this.store.started() === 0) return;
      untracked(() => afterNextRender({ write: () => this.bringResultsIntoView() }, { injector: this.injector }));
    });
  }

  protected cardImages(result: ModelResult): CardImages {
    const src = result.tileUrl ?? result.thumbnailUrl ?? result.imageUrl;
    return { srcset: tileSrcset(this.config, result.tileUrl, result.tile2xUrl), src: src ? this.config.mediaUrl(src) : '' };
  }

  protected open(result: ModelResult): void {
    const index = this.images().findIndex((entry) => entry.result.index === result.index);
    if (index < 0) return;
    this.viewerIndex.set(index);
    this.viewerOpen.set(true);
  }

  protected select(result: ModelResult, checked: boolean): void {
    this.selected.update((selected) =>
      checked ? [...selected.filter((i) => i !== result.index), result.index] : selected.filter((i) => i !== result.index),
    );
  }

  protected async copyLink(jobId: string): Promise<void> {
    const copied = await copyLink(new URL(`/g/${jobId}`, this.document.baseURI).href);
    if (copied) this.toasts.info('Link to these results copied');
    else this.toasts.info('Copying is not possible in this browser: copy the address from the address bar.');
  }

  protected async downloadAll(): Promise<void> {
    const job = this.store.job();
    if (!job || this.downloading()) return;
    this.downloading.set(true);
    try {
      await downloadAllAsZip(this.viewerImages(), zipNameFor(job.prompt));
    } catch {
      this.toasts.problem(
        { code: 'NETWORK', message: 'The images could not be downloaded. Check your connection and try again.', retryable: true },
        () => void this.downloadAll(),
      );
    } finally {
      this.downloading.set(false);
    }
  }

  private bringResultsIntoView(): void {
    this.heading()?.nativeElement.focus({ preventScroll: true });
    // Smooth unless reduced motion is asked for: styles.css sets scroll-behavior accordingly.
    this.section()?.nativeElement.scrollIntoView({ block: 'start' });
  }

  private toViewerImage(result: ModelResult): ViewerImage {
    const url = result.imageUrl ? this.config.mediaUrl(result.imageUrl) : '';
    // The large tile is in the browser's cache already (the card showed it): the viewer's stand-in.
    const preview = result.tile2xUrl ?? result.thumbnailUrl;
    return {
      url,
      thumbnailUrl: preview ? this.config.mediaUrl(preview) : url,
      title: result.displayName,
      fileName: imageFileName(result.model, url),
    };
  }
}
