import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

// Fail on unknown elements and bindings instead of only logging them.
setupZonelessTestEnv({ errorOnUnknownElements: true, errorOnUnknownProperties: true });

// jsdom lays nothing out, so it has no scrolling: tests that care spy on this. (Not in node-environment suites.)
if (typeof Element !== 'undefined') {
  Element.prototype.scrollIntoView ??= function scrollIntoView() {
    // Nothing to scroll in jsdom.
  };
}
