import { ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/** The one shape of every error body the API returns. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  /** Machine-readable, stable: what went wrong (docs/ERRORS.md lists every code). */
  code: string;
  message: string;
  requestId: string | null;
  details?: unknown[];
}

export function errorEnvelope(
  statusCode: number,
  code: string,
  message: string,
  requestId: string | undefined,
  details?: unknown[],
): ErrorEnvelope {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message,
    requestId: requestId ?? null,
    ...(details && details.length > 0 ? { details } : {}),
  };
}

/** An OpenAPI schema object (the subset this document uses). */
export interface EnvelopeSchema {
  type: 'object';
  description: string;
  required: string[];
  properties: Record<string, Record<string, unknown>>;
}

/**
 * The error envelope as an OpenAPI schema component, with `code` as an enum of every code the
 * API can return, so clients can generate exhaustive handling from the document.
 */
export function errorEnvelopeSchema(codes: readonly string[]): EnvelopeSchema {
  return {
    type: 'object',
    description: 'The body of every error response. docs/ERRORS.md explains each code.',
    required: ['statusCode', 'error', 'code', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer', example: 404, description: 'The HTTP status, repeated.' },
      error: { type: 'string', example: 'Not Found', description: 'The standard reason phrase of the status.' },
      code: {
        type: 'string',
        enum: [...codes].sort(),
        example: 'LEAD_NOT_FOUND',
        description: 'What went wrong, stable across releases: branch on this, not on the message.',
      },
      message: { type: 'string', example: 'Lead 2b1e… not found', description: 'For people; may change.' },
      requestId: {
        type: 'string',
        nullable: true,
        description: 'The x-request-id of the request, also on the log lines it produced.',
      },
      details: {
        type: 'array',
        description:
          'VALIDATION_FAILED: { field, messages } per problem, at most 20, then { field: "*", messages: ["and N more problems"] }.',
        items: { type: 'object' },
      },
    },
  };
}

/** The 503 of routes that read or write the database (a route's own 503 description wins). */
export function ApiDatabaseUnavailableResponse(): MethodDecorator & ClassDecorator {
  return ApiServiceUnavailableResponse({
    description: 'The database cannot be reached (DATABASE_UNAVAILABLE); Retry-After says when to try again',
  });
}
