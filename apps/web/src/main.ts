import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig).catch((error: unknown) => {
  console.error(error);
  // Without this the page would keep saying "Loading…" forever (e.g. when config.json is missing or invalid).
  const message = document.createElement('p');
  message.className = 'boot-message';
  message.setAttribute('role', 'alert');
  message.textContent = 'Pixel Prompt could not start. Please reload the page.';
  // In place of the page's content, under the header index.html painted.
  document.querySelector('pp-root .main')?.replaceChildren(message);
});
