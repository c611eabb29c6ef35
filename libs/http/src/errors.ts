/**
 * Domain errors: small classes that say what went wrong in the domain's words. They are
 * mapped to HTTP statuses in one place (ERROR_KIND_STATUS), by the global exception filter.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
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
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

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

export class RequestValidationFailed extends DomainError {
  constructor(details: FieldIssue[]) {
    super('bad_request', 'VALIDATION_FAILED', 'Request validation failed', details);
  }
}

export class MalformedJson extends DomainError {
  constructor() {
    super('bad_request', 'MALFORMED_JSON', 'Malformed JSON in request body');
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

export class HostNotAllowed extends DomainError {
  constructor() {
    super('bad_request', 'HOST_NOT_ALLOWED', 'Host header is not allowed');
  }
}
