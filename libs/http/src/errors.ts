/**
 * Domain errors: small classes that say what went wrong in the domain's words. They are
 * mapped to HTTP statuses in one place (ERROR_KIND_STATUS), by the global exception filter,
 * and their code reaches the client in the envelope (docs/ERRORS.md lists every code).
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable';

export const ERROR_KIND_STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

/**
 * Codes of the errors that are not domain errors: framework exceptions, requests Node's HTTP
 * parser refuses, and unexpected failures. Every other code is the literal second argument of
 * a DomainError constructor.
 */
export const FRAMEWORK_ERROR_CODES = {
  /** A 4xx raised by the HTTP platform itself (e.g. an undecodable path). */
  badRequest: 'BAD_REQUEST',
  /** Node's HTTP parser refused the request line or headers. */
  malformedRequest: 'MALFORMED_REQUEST',
  /** The request head exceeded Node's header size limit. */
  headersTooLarge: 'HEADERS_TOO_LARGE',
  /** The request head or body did not arrive in time. */
  requestTimeout: 'REQUEST_TIMEOUT',
  /** Any 5xx that is not a known outage. */
  internal: 'INTERNAL',
} as const;

export interface FieldIssue {
  field: string;
  messages: string[];
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    /** Response headers that belong to this error (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = code;
  }
}

/** Validation details returned at most; the rest are counted in one final entry. */
export const MAX_ERROR_DETAILS = 20;
/** The `field` of the final entry that counts the problems left out. */
export const OMITTED_DETAILS_FIELD = '*';

/**
 * The first MAX_ERROR_DETAILS issues, then `{ field: "*", messages: ["and N more problems"] }`
 * when there were more, so a body with thousands of unknown keys gets a small answer.
 */
export function capIssues<T>(issues: T[]): Array<T | FieldIssue> {
  if (issues.length <= MAX_ERROR_DETAILS) return issues;
  const rest = issues.length - MAX_ERROR_DETAILS;
  return [
    ...issues.slice(0, MAX_ERROR_DETAILS),
    { field: OMITTED_DETAILS_FIELD, messages: [`and ${rest} more problem${rest === 1 ? '' : 's'}`] },
  ];
}

export class RequestValidationFailed extends DomainError {
  constructor(details: FieldIssue[]) {
    super('bad_request', 'VALIDATION_FAILED', 'Request validation failed', capIssues(details));
  }
}

export class MalformedJson extends DomainError {
  constructor() {
    super('bad_request', 'MALFORMED_JSON', 'Malformed JSON in request body');
  }
}

export class JsonTooDeep extends DomainError {
  constructor(maxDepth: number) {
    super('bad_request', 'JSON_TOO_DEEP', `Request body is nested deeper than the limit of ${maxDepth} levels`);
  }
}

export class PayloadTooLarge extends DomainError {
  constructor(limitBytes: number) {
    super('payload_too_large', 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes`);
  }
}

export class UnsupportedBodyEncoding extends DomainError {
  constructor(what: string) {
    super('unsupported_media_type', 'UNSUPPORTED_ENCODING', `Unsupported request body ${what}`);
  }
}

export class UnsupportedMediaType extends DomainError {
  constructor() {
    super('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
}

export class UnreadableBody extends DomainError {
  constructor() {
    super('bad_request', 'UNREADABLE_BODY', 'Request body could not be read');
  }
}

export class HostNotAllowed extends DomainError {
  constructor() {
    super('bad_request', 'HOST_NOT_ALLOWED', 'Host header is not allowed');
  }
}

export class RouteNotFound extends DomainError {
  constructor() {
    super('not_found', 'ROUTE_NOT_FOUND', 'Route not found');
  }
}

export class MethodNotAllowed extends DomainError {
  /** `allowed`: the methods the path accepts, sent back in the Allow header. */
  constructor(method: string, allowed: string[]) {
    super(
      'method_not_allowed',
      'METHOD_NOT_ALLOWED',
      `Method ${method} is not allowed here; this route accepts ${allowed.join(', ')}`,
      undefined,
      { Allow: allowed.join(', ') },
    );
  }
}

export class DatabaseUnavailable extends DomainError {
  constructor() {
    super('unavailable', 'DATABASE_UNAVAILABLE', 'Service temporarily unavailable', undefined, { 'Retry-After': '1' });
  }
}

/**
 * Every code this library's errors and the exception filter can produce, for the OpenAPI
 * enum of `code` (the application adds the codes of its own domain errors).
 */
export const HTTP_ERROR_CODES: readonly string[] = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'JSON_TOO_DEEP',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_ENCODING',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNREADABLE_BODY',
  'HOST_NOT_ALLOWED',
  'INVALID_CURSOR',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'DATABASE_UNAVAILABLE',
  ...Object.values(FRAMEWORK_ERROR_CODES),
];
