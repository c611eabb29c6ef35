import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { KeyRegistry } from '../auth/key-registry.service';
import type { PlanLimits } from '../rate-limit/limits';
import { TenantEntity, TenantStatus } from './entities/tenant.entity';
import { PlansCatalogue } from './plans/plans-catalogue.service';
import { applyOverride, PlanOverride } from './plans/plans-file';
import { TenantsRepository } from './tenants.repository';

/** Every instance notices tenant changes made elsewhere (suspension, plan) this fast. */
export const TENANT_POLL_INTERVAL_MS = 1000;

/**
 * Each instance's copy of the tenants table, for the per-request checks: is the tenant
 * suspended, and which limits apply. Refreshed right after a local change and by a cheap
 * poll of the table's change signature, so changes reach every instance within
 * TENANT_POLL_INTERVAL_MS. Tenants that keys name but the table lacks are registered.
 */
@Injectable()
export class TenantDirectory implements OnApplicationBootstrap, OnApplicationShutdown {
  private records = new Map<string, TenantEntity>();
  private readonly limits = new Map<string, PlanLimits>();
  private signature: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly repository: TenantsRepository,
    private readonly plans: PlansCatalogue,
    private readonly registry: KeyRegistry,
    private readonly clock: Clock,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    plans.onChange(() => this.limits.clear());
    registry.onReload((tenants) => void this.register(tenants));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.register(this.registry.tenants());
    await this.refresh();
    this.timer = setInterval(() => void this.poll(), TENANT_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get(tenant: string): TenantEntity | undefined {
    return this.records.get(tenant);
  }

  all(): TenantEntity[] {
    return [...this.records.values()];
  }

  status(tenant: string): TenantStatus {
    return this.records.get(tenant)?.status ?? 'active';
  }

  /** The tenant's plan with its overrides applied (the default plan for unknown callers). */
  limitsFor(tenant: string | null): PlanLimits {
    const key = tenant ?? '';
    let limits = this.limits.get(key);
    if (!limits) {
      const record = tenant ? this.records.get(tenant) : undefined;
      const plan = this.plans.resolve(record?.plan ?? 'default');
      limits = record?.limits ? applyOverride(plan, JSON.parse(record.limits) as PlanOverride) : plan;
      this.limits.set(key, limits);
    }
    return limits;
  }

  /** Re-reads the table now (after a local change, so this instance never serves stale state). */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    const signature = await this.repository.changeSignature();
    const rows = await this.repository.listAll();
    this.records = new Map(rows.map((row) => [row.tenant, row]));
    this.limits.clear();
    this.signature = signature;
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.repository.changeSignature()) !== this.signature) await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'tenants: polling the tenants table failed; previous state kept');
    }
  }

  private async register(tenants: string[]): Promise<void> {
    try {
      const missing = tenants.filter((tenant) => !this.records.has(tenant));
      if ((await this.repository.registerMissing(missing, this.clock.date())) > 0) await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'tenants: registering tenants named by keys failed; will retry on next reload');
    }
  }
}
