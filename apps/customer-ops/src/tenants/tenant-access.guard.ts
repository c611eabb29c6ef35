import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { contextOf, type ContextualRequest } from '@app/http';
import { assignLimits } from '../rate-limit/request-limits';
import { TenantDirectory } from './tenant-directory.service';
import { TenantSuspended } from './tenants.errors';

/**
 * Runs after the auth guard: a suspended tenant's keys get 403 on every tenant route, and
 * every identified caller gets the limits of its plan (the operator and anonymous clients
 * without a tenant row: the default plan) for the rate-limit guard that follows.
 */
@Injectable()
export class TenantAccessGuard implements CanActivate {
  constructor(private readonly directory: TenantDirectory) {}

  canActivate(context: ExecutionContext): boolean {
    const ctx = contextOf(context.switchToHttp().getRequest<ContextualRequest>());
    const principal = ctx?.principal;
    if (!ctx || !principal) return true;
    const tenant = principal.kind === 'admin' ? null : principal.id;
    if (principal.kind === 'tenant' && this.directory.status(principal.id) === 'suspended') throw new TenantSuspended();
    assignLimits(ctx, this.directory.limitsFor(tenant));
    return true;
  }
}
