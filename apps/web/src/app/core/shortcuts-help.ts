import { ChangeDetectionStrategy, Component, inject, output } from '@angular/core';
import { Dialog } from './dialog';
import { Shortcuts } from './shortcuts';

/** The "?" dialog: lists the shortcuts registered right now, straight from the registry. */
@Component({
  selector: 'pp-shortcuts-help',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Dialog],
  template: `
    <div class="modal-backdrop"></div>
    <div class="modal" ppDialog aria-label="Keyboard shortcuts" (closeRequested)="closed.emit()">
      <h2>Keyboard shortcuts</h2>
      <dl>
        @for (shortcut of shortcuts.registered(); track shortcut) {
          <div class="row">
            <dt><kbd>{{ shortcut.keys }}</kbd></dt>
            <dd>{{ shortcut.description }}</dd>
          </div>
        }
      </dl>
      <button type="button" (click)="closed.emit()">Close</button>
    </div>
  `,
  styles: `
    .row {
      display: flex;
      gap: 1rem;
      justify-content: space-between;
      padding-block: 0.25rem;
      border-bottom: 1px solid var(--color-border);
    }
    dd {
      margin: 0;
      text-align: right;
    }
    kbd {
      white-space: nowrap;
    }
  `,
})
export class ShortcutsHelp {
  protected readonly shortcuts = inject(Shortcuts);
  readonly closed = output<void>();
}
