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
