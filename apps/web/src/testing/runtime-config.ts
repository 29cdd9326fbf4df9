import { TestBed } from '@angular/core/testing';
import { RUNTIME_CONFIG_URL, RuntimeConfig } from '../app/core/runtime-config';
import type { FakeFetch } from './fake-fetch';

/** Loads the RuntimeConfig the way the app initializer does, answering config.json with `body`. */
export async function loadRuntimeConfig(fetch: FakeFetch, body: object = { apiBaseUrl: '/api' }): Promise<RuntimeConfig> {
  const config = TestBed.inject(RuntimeConfig);
  const loading = config.load();
  fetch.expectOne(RUNTIME_CONFIG_URL).flush(body);
  await loading;
  return config;
}
