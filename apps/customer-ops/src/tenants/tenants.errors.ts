import { DomainError } from '@app/http';

export class TenantNotFound extends DomainError {
  constructor(tenant: string) {
    super('not_found', 'TENANT_NOT_FOUND', `Tenant ${tenant} not found`);
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
