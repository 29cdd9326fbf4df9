import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ApiStatus } from './core/api-status';

/** The shell around every page: header with navigation, the routed page, footer with the API status. */
@Component({
  selector: 'pp-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ApiStatus],
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {}
