import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

// Fail on unknown elements and bindings instead of only logging them.
setupZonelessTestEnv({ errorOnUnknownElements: true, errorOnUnknownProperties: true });
