import { Injectable } from '@nestjs/common';
import { Clock } from '@app/config';
import { TransactionRunner } from '@app/database';
import { DomainError } from '@app/http';
import { AuditActor } from '../audit/audit.actions';
import { AuditService } from '../audit/audit.service';
import { ROUTE_FAMILIES, RouteFamily } from '../rate-limit/limits';
import { LimitRequest } from '../rate-limit/limiter-storage';
import { RateLimitStore } from '../rate-limit/rate-limit.store';
import { TenantUsageDto, UsageResetDto } from './dto/tenant-usage.dto';
import { TenantDirectory } from './tenant-directory.service';
import { TenantKeysService } from './tenant-keys.service';
import { TenantNotFound } from './tenants.errors';

export class UsageUnavailable extends DomainError {
  constructor() {
    super('unavailable', 'USAGE_UNAVAILABLE', 'Usage counters cannot be read while Redis is unavailable');
  }
}

/** How much of its plan a tenant has used, read from (and reset in) the rate-limit counters. */
@Injectable()
export class TenantUsageService {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly tenantKeys: TenantKeysService,
    private readonly store: RateLimitStore,
    private readonly audit: AuditService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async usage(tenantParam: string): Promise<TenantUsageDto> {
    const tenant = this.require(tenantParam);
    const usage: TenantUsageDto = {
      tenant,
      plan: this.directory.get(tenant)?.plan ?? 'default',
      windows: [],
      quotas: [],
    };
    for (const request of this.requests(tenant)) {
      const decision = await this.store.peek(request);
      if (!decision) throw new UsageUnavailable();
      usage.windows.push(...decision.windows.map((window) => ({ family: request.family as RouteFamily, ...window })));
      usage.quotas.push(
        ...decision.quotas.map((quota) => ({
          family: request.family as RouteFamily,
          name: quota.name,
          limit: quota.limit,
          used: quota.used,
          remaining: quota.remaining,
          resetsAt: new Date(quota.resetsAt).toISOString(),
        })),
      );
    }
    return usage;
  }

  async reset(tenantParam: string, actor: AuditActor): Promise<UsageResetDto> {
    const tenant = this.require(tenantParam);
    for (const request of this.requests(tenant)) await this.store.reset(request);
    const row = await this.transactions.run((manager) =>
      this.audit.record(manager, actor, { action: 'usage.reset', tenant }),
    );
    this.audit.logCommitted(row);
    return { tenant, reset: true };
  }

  /** One request per family, covering every window and quota of the tenant's plan. */
  private requests(tenant: string): LimitRequest[] {
    const limits = this.directory.limitsFor(tenant);
    const now = this.clock.now();
    return ROUTE_FAMILIES.map((family) => ({
      subject: `tenant:${tenant}`,
      family,
      windows: limits[family].windows,
      quotas: limits[family].quotas,
      now,
    }));
  }

  private require(tenantParam: string): string {
    const tenant = tenantParam.toUpperCase();
    if (!this.tenantKeys.exists(tenant)) throw new TenantNotFound(tenant);
    return tenant;
  }
}
