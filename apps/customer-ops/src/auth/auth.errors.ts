import { DomainError } from '@app/http';

export class InvalidApiKey extends DomainError {
  constructor() {
    super('unauthorized', 'INVALID_API_KEY', 'Invalid or missing API key');
  }
}

export class InvalidAdminKey extends DomainError {
  constructor() {
    super('unauthorized', 'INVALID_ADMIN_KEY', 'Invalid or missing admin key');
  }
}

export class AdminApiDisabled extends DomainError {
  constructor() {
    super('forbidden', 'ADMIN_API_DISABLED', 'Admin API disabled: set API_ADMIN_KEY');
  }
}

export class KeysFileInvalid extends DomainError {
  constructor(path: string, reason: string) {
    super('bad_request', 'KEYS_FILE_INVALID', `Keys file ${path}, ${reason}; the previous keys stay in force`);
  }
}

export class KeysFileUnreadable extends DomainError {
  constructor(path: string, code: string) {
    super(
      'bad_request',
      'KEYS_FILE_UNREADABLE',
      `Keys file ${path} cannot be read (${code}); the previous keys stay in force`,
    );
  }
}

export class DuplicateKeyAcrossTenants extends DomainError {
  constructor(first: string, second: string) {
    super(
      'bad_request',
      'DUPLICATE_KEY',
      `The same key value is configured for tenants ${first} and ${second}; each key must belong to one tenant. The previous keys stay in force`,
    );
  }
}

export class ApiKeyNotFound extends DomainError {
  constructor(tenant: string, id: string) {
    super('not_found', 'API_KEY_NOT_FOUND', `Key ${id} not found for tenant ${tenant}`);
  }
}

export class KeyManagedElsewhere extends DomainError {
  constructor(id: string, where: string) {
    super(
      'conflict',
      'KEY_MANAGED_ELSEWHERE',
      `Key ${id} comes from ${where}; remove it there, then POST /ops/reload-auth`,
    );
  }
}

export class AuthFailuresThrottled extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'too_many_requests',
      'AUTH_RATE_LIMITED',
      'Too many failed authentication attempts from this address; try again later',
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

export class KeysFileMissing extends DomainError {
  constructor(path: string) {
    super('conflict', 'KEYS_FILE_MISSING', `Keys file ${path} is missing; previous keys kept`);
  }
}

export class ApiKeyTooShort extends DomainError {
  /** `names` says where each short key is configured (variable and file), never the key. */
  constructor(names: string[], minLength: number, previousKept: boolean) {
    super(
      'bad_request',
      'API_KEY_TOO_SHORT',
      `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} shorter than ${minLength} characters; ` +
        `use a longer key in production${previousKept ? '. The previous keys stay in force' : ''}`,
    );
  }
}
