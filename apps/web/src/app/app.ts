import {
  ChangeDetectionStrategy,
  Component,
  type ComponentRef,
  DestroyRef,
  ViewContainerRef,
  afterNextRender,
  inject,
  signal,
} from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { API_STATE_LABELS, ApiHealth } from './core/api-health';
import { Connectivity } from './core/connectivity';
import { LazyLoadFailure } from './core/lazy-load';
import { plainKey, Shortcuts } from './core/shortcuts';
import { Sounds } from './core/sounds';
import { Theme } from './core/theme';

/**
 * The shell around every page: header with navigation, theme and mute switches, the routed page (or
 * why it could not be loaded), footer, toasts. The toasts and the shortcuts help are lazy chunks,
 * created with dynamic imports rather than @defer, whose runtime would cost the initial bundle more
 * than the two components themselves.
 */
@Component({
  selector: 'pp-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {
  protected readonly sounds = inject(Sounds);
  protected readonly theme = inject(Theme);
  protected readonly lazyLoad = inject(LazyLoadFailure);
  protected readonly online = inject(Connectivity).online;
  private readonly health = inject(ApiHealth);
  /** The footer's indicator of whether the API can be used right now. */
  protected readonly apiState = this.health.state;
  protected readonly apiLabels = API_STATE_LABELS;
  protected readonly onGeneratePage = signal(false);
  /** Where the lazy overlays go: after the shell's own element, at the end of the body. */
  private readonly overlays = inject(ViewContainerRef);
  /** The shortcuts help while it is open or being loaded. */
  private help: Promise<ComponentRef<unknown>> | undefined;

  constructor() {
    this.health.start();
    // Toasts are needed only once something goes wrong or is done: loaded after the first paint.
    afterNextRender(() => {
      void import('./core/toast-host').then(({ ToastHost }) => this.overlays.createComponent(ToastHost));
    });
    const shortcuts = inject(Shortcuts);
    const router = inject(Router);
    router.events.subscribe((event) => {
      if (event instanceof NavigationEnd) this.onGeneratePage.set(/^\/(g\/|$|\?)/.test(event.urlAfterRedirects));
    });
    const unregister = [
      shortcuts.register({
        keys: 'G',
        description: 'Go to the gallery',
        matches: plainKey('g'),
        whileTyping: false,
        run: () => void router.navigateByUrl('/gallery'),
      }),
      shortcuts.register({
        keys: '?',
        description: 'Show the keyboard shortcuts',
        matches: plainKey('?'),
        whileTyping: false,
        run: () => this.openHelp(),
      }),
    ];
    inject(DestroyRef).onDestroy(() => unregister.forEach((remove) => remove()));
  }

  private openHelp(): void {
    this.help ??= import('./core/shortcuts-help').then(({ ShortcutsHelp }) => {
      const help = this.overlays.createComponent(ShortcutsHelp);
      help.instance.closed.subscribe(() => {
        help.destroy();
        this.help = undefined;
      });
      return help;
    });
    // Offline before it ever loaded: the next "?" tries again.
    this.help.catch(() => (this.help = undefined));
  }
}
