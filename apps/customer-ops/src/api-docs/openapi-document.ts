import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ADMIN_KEY_SCHEME, errorEnvelopeSchema, HTTP_ERROR_CODES, TENANT_KEY_SCHEME } from '@app/http';

/**
 * The codes of this application's domain errors; with HTTP_ERROR_CODES, every code an error
 * envelope can carry (the OpenAPI enum of ErrorEnvelope.code; docs/ERRORS.md explains each).
 */
const DOMAIN_ERROR_CODES = [
  'INVALID_API_KEY',
  'INVALID_ADMIN_KEY',
  'ADMIN_API_DISABLED',
  'AUTH_RATE_LIMITED',
  'KEYS_FILE_INVALID',
  'KEYS_FILE_UNREADABLE',
  'KEYS_FILE_MISSING',
  'DUPLICATE_KEY',
  'API_KEY_TOO_SHORT',
  'API_KEY_NOT_FOUND',
  'KEY_MANAGED_ELSEWHERE',
  'METRICS_TOKEN_REQUIRED',
  'TENANT_NOT_FOUND',
  'TENANT_EXISTS',
  'TENANT_SUSPENDED',
  'TENANT_KEYS_CONFIGURED',
  'UNKNOWN_PLAN',
  'PLANS_FILE_INVALID',
  'ERASE_CONFIRMATION_REQUIRED',
  'USAGE_UNAVAILABLE',
  'RATE_LIMITED',
  'QUOTA_EXHAUSTED',
  'LEAD_NOT_FOUND',
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENT_REQUEST_IN_FLIGHT',
  'MODEL_NOT_ACTIVATED',
];

/** The schema of every error body. */
export const ERROR_ENVELOPE_SCHEMA = 'ErrorEnvelope';

type Responses = Record<string, ResponseObject | ReferenceObject | undefined>;

/**
 * Error responses that do not depend on what a route does, as components: every route can be
 * refused by the pipeline before it runs (400) or fail (500), and every route that is not a
 * GET reads a body first (413, 415). Routes describe their own errors on top; where a route
 * describes one of these statuses itself, its description is kept.
 */
const SHARED_ERRORS: Record<string, { status: string; description: string; methods?: 'with-body' }> = {
  BadRequest: {
    status: '400',
    description:
      'Refused: the Host is not allowed (HOST_NOT_ALLOWED), the path cannot be decoded (BAD_REQUEST), ' +
      'a parameter or body field is invalid (VALIDATION_FAILED, details per field), or the body is not ' +
      'JSON (MALFORMED_JSON), too deep (JSON_TOO_DEEP) or unreadable (UNREADABLE_BODY)',
  },
  PayloadTooLarge: {
    status: '413',
    description: 'The body (decompressed) is larger than BODY_LIMIT (PAYLOAD_TOO_LARGE)',
    methods: 'with-body',
  },
  UnsupportedMediaType: {
    status: '415',
    description:
      'The body is not application/json (UNSUPPORTED_MEDIA_TYPE), or not UTF-8 or gzip, deflate or br (UNSUPPORTED_ENCODING)',
    methods: 'with-body',
  },
  InternalError: {
    status: '500',
    description: 'Something went wrong on the server (INTERNAL); the log line with the same requestId has the cause',
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const envelopeContent = () => ({
  'application/json': { schema: { $ref: `#/components/schemas/${ERROR_ENVELOPE_SCHEMA}` } },
});

/** Retry-After, on the error responses that carry it. */
const RETRY_AFTER: Record<string, string> = {
  '429': 'Seconds until the window, the quota or the failed-key budget allows another request',
  '503': 'Sent with DATABASE_UNAVAILABLE: seconds to wait before trying again',
};

function isReference(response: ResponseObject | ReferenceObject): response is ReferenceObject {
  return '$ref' in response;
}

/**
 * Every error response in the envelope: the shared ones where a route does not declare them,
 * and the envelope (with Retry-After where it is sent) as the body of each 4xx and 5xx a route
 * declares without a body of its own.
 */
function declareErrorResponses(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.schemas = {
    ...components.schemas,
    // The body of every error response, `code` an enum of every code (docs/ERRORS.md).
    [ERROR_ENVELOPE_SCHEMA]: errorEnvelopeSchema([...HTTP_ERROR_CODES, ...DOMAIN_ERROR_CODES]),
  };
  components.responses = {
    ...components.responses,
    ...Object.fromEntries(
      Object.entries(SHARED_ERRORS).map(([name, { description }]) => [
        name,
        { description, content: envelopeContent() },
      ]),
    ),
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const responses: Responses = operation.responses;
      for (const [name, shared] of Object.entries(SHARED_ERRORS)) {
        if (shared.methods === 'with-body' && (method === 'get' || method === 'head')) continue;
        responses[shared.status] ??= { $ref: `#/components/responses/${name}` };
      }
      for (const [status, response] of Object.entries(responses)) {
        // A route's own error body (the readiness probe's 503) is left as declared.
        if (!response || isReference(response) || Number(status) < 400 || response.content) continue;
        response.content = envelopeContent();
        const retryAfter = RETRY_AFTER[status];
        if (retryAfter) response.headers = { 'Retry-After': { description: retryAfter, schema: { type: 'integer' } } };
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
}

/**
 * The OpenAPI document of the API, as /docs-json serves it and docs/openapi.json holds it
 * (`npm run openapi:write`). Built from the routes' decorators, then completed with the error
 * responses every route shares.
 */
export function createOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('AetherLink CustomerOps API')
    .setDescription(
      'Multi-tenant lead capture, enrichment and outcome tracking. Every error has one JSON shape, ' +
        'ErrorEnvelope, whose `code` says what went wrong (docs/ERRORS.md).',
    )
    .setVersion(version)
    .addServer('/', 'The instance serving this document')
    .addTag('leads', 'Lead capture, enrichment, outcomes, search and analytics, for a tenant key')
    .addTag('ops', 'Probes, tenants and their keys and limits, auth reloads, the audit trail and the conversion model')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Tenant API key' }, TENANT_KEY_SCHEME)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-admin-key', description: 'Operator admin key' },
      ADMIN_KEY_SCHEME,
    )
    .build();
  // A private, unlicensed product (package.json): the license object says so.
  config.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, config);
  declareErrorResponses(document);
  return document;
}
