import { type INestApplication, applyDecorators } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { CORRELATION_ID_HEADER, ERROR_CODES } from '@pixel-prompt/contracts';
import { z } from 'zod';
import { API_PREFIX, OPENAPI_JSON_PATH, OPENAPI_PATH, isInternalPath } from './api-prefix';

/** A zod schema as the OpenAPI 3 schema of a request body: the same object the handler validates with. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return json;
}

export const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error', 'message', 'correlationId'],
  properties: {
    error: { type: 'string', enum: [...ERROR_CODES] },
    message: { type: 'string', description: 'A sentence a user can act on.' },
    correlationId: { type: 'string', description: `Also in the ${CORRELATION_ID_HEADER} response header.` },
    details: { description: 'Field problems, on VALIDATION_FAILED.' },
    retryAfter: { type: 'integer', description: 'Seconds until a retry can succeed (as Retry-After), on RATE_LIMIT_EXCEEDED and SERVICE_UNAVAILABLE.' },
  },
};

/**
 * The document is built from the controllers' routes and decorators; nothing is written by hand twice.
 * It describes the public API as browsers reach it, under API_PREFIX; the probes and the scrape
 * endpoint are left out.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Pixel Prompt API')
    .setDescription(
      'One prompt, images from many models. Every error is JSON {error, message, correlationId, details?}; ' +
        `send ${CORRELATION_ID_HEADER} to correlate a request with the server's logs.`,
    )
    .setVersion('1.0.0')
    .addServer(API_PREFIX, 'Behind the Ingress. The gateway itself also answers every route without the prefix.')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => !isInternalPath(path)));
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ErrorBody: ERROR_BODY_SCHEMA } };
  return document;
}

export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });
}

/** Documents the error answers a route can give, all with the ErrorBody shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: 'Error', schema: { $ref: '#/components/schemas/ErrorBody' } })),
  );
}
