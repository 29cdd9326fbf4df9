import { Injectable, inject } from '@angular/core';
import {
  type EnhanceResponse,
  type GenerateAccepted,
  type GenerateRequest,
  IDEMPOTENCY_KEY_HEADER,
  type JobStatusResponse,
  type ModelsResponse,
  type RetryAccepted,
} from '@pixel-prompt/contracts';
import { ApiClient } from '../core/api-client';
import { RuntimeConfig } from '../core/runtime-config';
import { Quota } from './quota';

/** The gateway's generation endpoints (docs/openapi.json). */
@Injectable({ providedIn: 'root' })
export class GenerationApi {
  private readonly api = inject(ApiClient);
  private readonly config = inject(RuntimeConfig);
  private readonly quota = inject(Quota);

  models(): Promise<ModelsResponse> {
    return this.api.get<ModelsResponse>('/models');
  }

  /** The same idempotency key and body return the same job, so a retry never starts a second one. */
  generate(request: GenerateRequest, idempotencyKey: string): Promise<GenerateAccepted> {
    return this.api.post<GenerateAccepted>('/generate', request, {
      headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
      readHeaders: (headers) => this.quota.read(headers),
    });
  }

  status(jobId: string): Promise<JobStatusResponse> {
    return this.api.get<JobStatusResponse>(`/status/${encodeURIComponent(jobId)}`);
  }

  async cancel(jobId: string): Promise<void> {
    await this.api.post(`/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  /** Sends a failed model back to the queue; it counts against the same limits as a generation. */
  retry(jobId: string, model: string, idempotencyKey: string): Promise<RetryAccepted> {
    return this.api.post<RetryAccepted>(`/jobs/${encodeURIComponent(jobId)}/models/${encodeURIComponent(model)}/retry`, undefined, {
      headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
      readHeaders: (headers) => this.quota.read(headers),
    });
  }

  enhance(prompt: string): Promise<EnhanceResponse> {
    return this.api.post<EnhanceResponse>('/enhance', { prompt });
  }

  /** Absolute URL of the job's event stream, from the path POST /generate returned. */
  eventsUrl(path: string): string {
    return this.config.apiUrl(path as `/${string}`);
  }
}
