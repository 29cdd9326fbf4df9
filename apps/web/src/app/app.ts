import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ApiStatus } from './core/api-status';
import { plainKey, Shortcuts } from './core/shortcuts';
import { ShortcutsHelp } from './core/shortcuts-help';
import { Sounds } from './core/sounds';
import { ToastHost } from './core/toast-host';

/** The shell around every page: header with navigation and mute switch, the routed page, toasts, footer. */
@Component({
  selector: 'pp-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ApiStatus, ToastHost, ShortcutsHelp],
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {
  protected readonly sounds = inject(Sounds);
  protected readonly helpOpen = signal(false);

  constructor() {
    const shortcuts = inject(Shortcuts);
    const router = inject(Router);
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
        run: () => this.helpOpen.set(true),
      }),
    ];
    inject(DestroyRef).onDestroy(() => unregister.forEach((remove) => remove()));
  }
}
