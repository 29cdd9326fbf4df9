import { ChangeDetectionStrategy, Component, computed, effect, inject, linkedSignal, signal } from '@angular/core';
import type { ModelResult } from '@pixel-prompt/contracts';
import { RuntimeConfig } from '../core/runtime-config';
import { Toasts } from '../core/toasts';
import { CompareView } from '../compare/compare-view';
import { imageFileName } from '../viewer/image-files';
import { ImageViewer } from '../viewer/image-viewer';
import type { ViewerImage } from '../viewer/viewer-image';
import { downloadAllAsZip } from '../viewer/zip-download';
import { GenerateStore } from './generate-store';
import { ModelCard } from './model-card';

/** A zip name a file system accepts, from the prompt: "lighthouse-on-a-cliff.zip". */
export function zipNameFor(prompt: string): string {
  const slug = prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return `${slug || 'pixel-prompt'}.zip`;
}

/** The job's cards with progress, Cancel, the viewer, Compare and Download all. */
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

  /** Ticks every second while a model is generating, for the elapsed times. */
  protected readonly now = signal(Date.now());
  /** Result indices checked for comparison; cleared for every new job. */
  protected readonly selected = linkedSignal<unknown, number[]>({ source: this.store.job, computation: () => [] });
  protected readonly viewerOpen = signal(false);
  protected readonly viewerIndex = signal(0);
  protected readonly comparing = signal(false);
  protected readonly downloading = signal(false);

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
  }

  protected imageUrl(result: ModelResult): string {
    return result.imageUrl ? this.config.mediaUrl(result.imageUrl) : '';
  }

  protected thumbnailUrl(result: ModelResult): string {
    return result.thumbnailUrl ? this.config.mediaUrl(result.thumbnailUrl) : this.imageUrl(result);
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

  private toViewerImage(result: ModelResult): ViewerImage {
    const url = this.imageUrl(result);
    return {
      url,
      thumbnailUrl: this.thumbnailUrl(result),
      title: result.displayName,
      fileName: imageFileName(result.model, url),
    };
  }
}
