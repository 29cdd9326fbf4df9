import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import { dimensionsFor, nearestAspectRatio } from './aspect-ratio';
import { LazyBedrockClient, bedrockRuntime } from './bedrock-runtime';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';
import { decodeBase64Image, isRecord, numberOption, sanitizeProviderText, scaleGuidance, stringOption } from './http';
import { STABILITY_ASPECT_RATIOS } from './stability-provider';

const LABEL = 'Amazon Bedrock';
const DEFAULT_REGION = 'us-east-1';
/** Nova Canvas seeds run 0-858,993,459; ours go higher, so they wrap. */
const NOVA_MAX_SEED = 858_993_459;

function isNova(providerModel: string): boolean {
  return providerModel.includes('nova-canvas');
}

/** What the Bedrock model's native body looks like for our parameters. */
function requestBody({ prompt, guidance, seed, negativePrompt, aspectRatio, model }: ImageRequest): Record<string, unknown> {
  if (isNova(model.providerModel)) {
    const width = numberOption(model, 'width') ?? 1024;
    const height = numberOption(model, 'height') ?? 1024;
    // Nova Canvas takes sides that are multiples of 16.
    const size = aspectRatio ? dimensionsFor(aspectRatio, Math.sqrt(width * height), 16) : { width, height };
    return {
      taskType: 'TEXT_IMAGE',
      textToImageParams: negativePrompt ? { text: prompt, negativeText: negativePrompt } : { text: prompt },
      imageGenerationConfig: {
        numberOfImages: 1,
        width: size.width,
        height: size.height,
        quality: stringOption(model, 'quality') ?? 'standard',
        // Nova's cfgScale runs 1.1-10.
        cfgScale: scaleGuidance(guidance, 1.1, 10),
        seed: seed % (NOVA_MAX_SEED + 1),
      },
    };
  }
  // Stability models on Bedrock (SD3.5 Large, Stable Image Core/Ultra).
  const body: Record<string, unknown> = {
    prompt,
    mode: 'text-to-image',
    aspect_ratio: aspectRatio ? nearestAspectRatio(aspectRatio, STABILITY_ASPECT_RATIOS) : (stringOption(model, 'aspectRatio') ?? '1:1'),
    output_format: stringOption(model, 'outputFormat') ?? 'png',
    seed,
  };
  if (negativePrompt) body['negative_prompt'] = negativePrompt;
  return body;
}

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** SDK exceptions by name (the service's error type) to our codes. */
export function bedrockFailure(error: unknown): ProviderError {
  const e = (isRecord(error) || error instanceof Error ? error : {}) as AwsError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const detail = e.message ? `: ${sanitizeProviderText(e.message)}` : '';
  if (name === 'ValidationException' && /content filter|blocked|moderat|responsible ai/i.test(e.message ?? '')) {
    return new ProviderError('CONTENT_REJECTED', `${LABEL} refused the prompt or image under its content policy`, false);
  }
  if (['AccessDeniedException', 'UnrecognizedClientException', 'ExpiredTokenException', 'InvalidSignatureException', 'CredentialsProviderError'].includes(name) || status === 401 || status === 403) {
    return new ProviderError('AUTH', `${LABEL} rejected our credentials (${name})`, false);
  }
  if (name === 'ServiceQuotaExceededException') return new ProviderError('QUOTA', `${LABEL} quota exceeded${detail}`, false);
  if (name === 'ThrottlingException' || status === 429) return new ProviderError('RATE_LIMITED', `${LABEL} is throttling us${detail}`, true);
  if (['ModelTimeoutException', 'ModelNotReadyException', 'InternalServerException', 'ServiceUnavailableException'].includes(name) || (status ?? 0) >= 500) {
    return new ProviderError('PROVIDER_ERROR', `${LABEL} failed (${name})${detail}`, true);
  }
  // No HTTP status at all: the call never got an answer (DNS, connection reset).
  if (status === undefined) return new ProviderError('PROVIDER_ERROR', `${LABEL} could not be reached (${name})`, true);
  return new ProviderError('PROVIDER_ERROR', `${LABEL} refused the request (${name})${detail}`, false);
}

/**
 * Amazon Bedrock InvokeModel through the AWS SDK, with credentials from the default provider chain
 * (IRSA on EKS). `providerModel` is the Bedrock model id (`amazon.nova-canvas-v1:0`,
 * `stability.sd3-5-large-v1:0`, ...). The SDK does not retry: Bull's backoff does, for every provider.
 *
 * Options: `region` (`us-east-1` by default), `endpoint` (VPC endpoint), `width`/`height` and
 * `quality` (Nova), `aspectRatio` and `outputFormat` (Stability).
 */
export class BedrockImageProvider implements ImageProvider {
  private readonly clients = new Map<string, LazyBedrockClient>();

  /** `clientConfig` is for tests (static credentials); production uses the default chain. */
  constructor(private readonly clientConfig: Partial<BedrockRuntimeClientConfig> = {}) {}

  capabilities(model: ModelConfig): ModelCapabilities {
    const nova = isNova(model.providerModel);
    return { size: true, seed: true, steps: false, guidance: nova, negativePrompt: true };
  }

  async generate(request: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const { model } = request;
    const { InvokeModelCommand } = await bedrockRuntime();
    const command = new InvokeModelCommand({
      modelId: model.providerModel,
      contentType: 'application/json',
      accept: 'application/json',
      body: new TextEncoder().encode(JSON.stringify(requestBody(request))),
    });
    let answer: unknown;
    try {
      const response = await (await this.client(model).get()).send(command, { abortSignal: signal });
      answer = JSON.parse(new TextDecoder().decode(response.body)) as unknown;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof SyntaxError) throw new ProviderError('PROVIDER_ERROR', `${LABEL} answered with something other than JSON`, true);
      throw bedrockFailure(error);
    }
    if (!isRecord(answer)) throw new ProviderError('PROVIDER_ERROR', `${LABEL} answered without an image`, true);
    const reasons = Array.isArray(answer['finish_reasons']) ? answer['finish_reasons'] : [];
    const reason = reasons.find((r): r is string => typeof r === 'string');
    if (reason) {
      if (/filter/i.test(reason)) throw new ProviderError('CONTENT_REJECTED', `${LABEL} filtered the ${/prompt/i.test(reason) ? 'prompt' : 'image'} under its content policy`, false);
      throw new ProviderError('PROVIDER_ERROR', `${LABEL} failed: ${sanitizeProviderText(reason)}`, true);
    }
    if (typeof answer['error'] === 'string' && answer['error']) {
      throw new ProviderError('PROVIDER_ERROR', `${LABEL} failed: ${sanitizeProviderText(answer['error'])}`, true);
    }
    const images = Array.isArray(answer['images']) ? answer['images'] : [];
    return decodeBase64Image(LABEL, images[0]);
  }

  private client(model: ModelConfig): LazyBedrockClient {
    const region = stringOption(model, 'region') ?? DEFAULT_REGION;
    const endpoint = stringOption(model, 'endpoint');
    const key = `${region}|${endpoint ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new LazyBedrockClient({ maxAttempts: 1, ...this.clientConfig, region, ...(endpoint ? { endpoint } : {}) });
      this.clients.set(key, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
