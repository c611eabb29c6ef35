import { DomainError } from '@app/http';

/** Every tenant is on a plan; this one always exists. */
export const DEFAULT_PLAN = 'default';

export class TenantNotFound extends DomainError {
  constructor(tenant: string) {
    super('not_found', 'TENANT_NOT_FOUND', `Tenant ${tenant} not found`);
  }
}

export class TenantExists extends DomainError {
  constructor(tenant: string) {
    super('conflict', 'TENANT_EXISTS', `Tenant ${tenant} already exists`);
  }
}

export class TenantSuspended extends DomainError {
  constructor() {
    super('forbidden', 'TENANT_SUSPENDED', 'Tenant suspended');
  }
}

export class UnknownPlan extends DomainError {
  constructor(plan: string) {
    super('bad_request', 'UNKNOWN_PLAN', `Unknown plan "${plan}"; plans are defined in PLANS_FILE`);
  }
}

export class InvalidLimitsOverride extends DomainError {
  constructor(problems: string[]) {
    super(
      'bad_request',
      'VALIDATION_FAILED',
      'Request validation failed',
      problems.map((message) => ({ field: 'limits', messages: [message] })),
    );
  }
}

export class EraseConfirmationRequired extends DomainError {
  constructor(tenant: string) {
    super(
      'bad_request',
      'ERASE_CONFIRMATION_REQUIRED',
      `Deleting tenant ${tenant} erases all of its leads, outcomes and keys; repeat with ?erase=true to confirm`,
    );
  }
}

export class TenantKeysConfigured extends DomainError {
  constructor(tenant: string, where: string) {
    super(
      'conflict',
      'TENANT_KEYS_CONFIGURED',
      `Tenant ${tenant} has keys in ${where}; remove them there and POST /ops/reload-auth, then erase the tenant`,
    );
  }
}

export class PlansFileInvalid extends DomainError {
  constructor(path: string, reason: string, atStartup: boolean) {
    super(
      'bad_request',
      'PLANS_FILE_INVALID',
      `Plans file ${path}: ${reason}${atStartup ? '' : '; the previous plans stay in force'}`,
    );
  }
}
