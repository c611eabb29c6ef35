import { DomainError } from '@app/http';

export class LeadNotFound extends DomainError {
  constructor(id: string) {
    super('not_found', 'LEAD_NOT_FOUND', `Lead ${id} not found`);
  }
}

export class IdempotencyKeyInvalid extends DomainError {
  constructor() {
    super('bad_request', 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super('unprocessable', 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request body');
  }
}

export class IdempotentRequestInFlight extends DomainError {
  constructor() {
    super(
      'conflict',
      'IDEMPOTENT_REQUEST_IN_FLIGHT',
      'A request with this Idempotency-Key is still in progress; retry later',
    );
  }
}
