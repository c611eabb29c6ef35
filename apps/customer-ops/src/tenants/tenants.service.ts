import { Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@app/config';
import { TransactionRunner } from '@app/database';
import { AuditActor, AuditAction } from '../audit/audit.actions';
import { AuditService } from '../audit/audit.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { AuthService } from '../auth/auth.service';
import { KeyRegistry } from '../auth/key-registry.service';
import { LeadsService } from '../leads/leads.service';
import {
  CreatedTenantDto,
  CreateTenantDto,
  ErasedTenantDto,
  TenantDetailDto,
  TenantDto,
  UpdateTenantDto,
} from './dto/tenant.dto';
import { TenantListDto } from './dto/tenant-keys.dto';
import { TenantEntity } from './entities/tenant.entity';
import { parseLimitsOverride } from './plans/plans-file';
import { PlansCatalogue } from './plans/plans-catalogue.service';
import { TenantDirectory } from './tenant-directory.service';
import { TenantKeysService } from './tenant-keys.service';
import {
  DEFAULT_PLAN,
  EraseConfirmationRequired,
  InvalidLimitsOverride,
  TenantExists,
  TenantKeysConfigured,
  TenantNotFound,
  UnknownPlan,
} from './tenants.errors';
import { TenantChanges, TenantsRepository } from './tenants.repository';

function tenantView(row: TenantEntity): TenantDto {
  return {
    tenant: row.tenant,
    status: row.status,
    plan: row.plan,
    displayName: row.displayName,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Tenant lifecycle: onboarding, plan and status changes, offboarding with erasure. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: TenantsRepository,
    private readonly directory: TenantDirectory,
    private readonly plans: PlansCatalogue,
    private readonly tenantKeys: TenantKeysService,
    private readonly keys: ApiKeysService,
    private readonly registry: KeyRegistry,
    private readonly auth: AuthService,
    private readonly leads: LeadsService,
    private readonly audit: AuditService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<TenantListDto> {
    const keys = await this.tenantKeys.activeByTenant();
    const names = [...new Set([...this.directory.all().map((row) => row.tenant), ...keys.keys()])].sort();
    const tenants = names.map((tenant) => {
      const row = this.directory.get(tenant);
      return {
        tenant,
        status: row?.status ?? 'active',
        plan: row?.plan ?? DEFAULT_PLAN,
        displayName: row?.displayName ?? null,
        keys: keys.get(tenant) ?? [],
      };
    });
    return { count: tenants.length, tenants };
  }

  async get(tenantParam: string): Promise<TenantDetailDto> {
    const row = await this.require(tenantParam.toUpperCase());
    return {
      ...tenantView(row),
      keys: (await this.tenantKeys.activeByTenant(row.tenant)).get(row.tenant) ?? [],
      limits: this.directory.limitsFor(row.tenant),
      overrides: row.limits ? (JSON.parse(row.limits) as Record<string, unknown>) : null,
    };
  }

  async create(dto: CreateTenantDto, actor: AuditActor): Promise<CreatedTenantDto> {
    const tenant = dto.tenant.toUpperCase();
    const plan = (dto.plan ?? DEFAULT_PLAN).toLowerCase();
    if (!this.plans.has(plan)) throw new UnknownPlan(plan);
    if (this.registry.hasTenant(tenant)) throw new TenantExists(tenant);
    const now = this.clock.date();
    const row: TenantEntity = {
      tenant,
      displayName: dto.displayName ?? null,
      status: 'active',
      plan,
      limits: null,
      revision: 0,
      createdAt: now,
      updatedAt: now,
    };
    const { minted, audit } = await this.transactions.run(async (manager) => {
      if (await this.repository.find(tenant, manager)) throw new TenantExists(tenant);
      await this.repository.insert(row, manager);
      const minted = dto.mintKey ? await this.keys.mint(tenant, undefined, now, manager) : undefined;
      const audit = await this.audit.record(manager, actor, {
        action: 'tenant.create',
        tenant,
        target: minted?.id,
        details: { plan, mintedKey: Boolean(minted) },
      });
      return { minted, audit };
    });
    this.audit.logCommitted(audit);
    await this.directory.refresh();
    if (minted) await this.auth.keysChanged();
    return {
      ...tenantView(row),
      ...(minted
        ? {
            key: {
              id: minted.id,
              key: minted.key,
              fingerprint: minted.fingerprint,
              expiresAt: minted.expiresAt?.toISOString() ?? null,
            },
          }
        : {}),
    };
  }

  async update(tenantParam: string, dto: UpdateTenantDto, actor: AuditActor): Promise<TenantDto> {
    const tenant = tenantParam.toUpperCase();
    const changes: TenantChanges = {};
    if (dto.plan !== undefined) {
      changes.plan = dto.plan.toLowerCase();
      if (!this.plans.has(changes.plan)) throw new UnknownPlan(changes.plan);
    }
    if (dto.displayName !== undefined) changes.displayName = dto.displayName;
    if (dto.status !== undefined) changes.status = dto.status;
    if (dto.limits !== undefined) {
      if (dto.limits === null) changes.limits = null;
      else {
        const parsed = parseLimitsOverride(dto.limits);
        if ('problems' in parsed) throw new InvalidLimitsOverride(parsed.problems);
        changes.limits = JSON.stringify(parsed.override);
      }
    }
    await this.require(tenant);
    const audit = await this.transactions.run(async (manager) => {
      const before = await this.repository.find(tenant, manager);
      if (!before) throw new TenantNotFound(tenant);
      await this.repository.update(tenant, changes, this.clock.date(), manager);
      const statusChanged = changes.status !== undefined && changes.status !== before.status;
      const action: AuditAction = statusChanged
        ? changes.status === 'suspended'
          ? 'tenant.suspend'
          : 'tenant.resume'
        : 'tenant.update';
      return this.audit.record(manager, actor, {
        action,
        tenant,
        details: {
          ...(changes.plan !== undefined ? { oldPlan: before.plan, newPlan: changes.plan } : {}),
          ...(statusChanged ? { oldStatus: before.status, newStatus: changes.status ?? null } : {}),
          ...(changes.displayName !== undefined ? { displayNameChanged: true } : {}),
          ...(changes.limits !== undefined ? { limitsChanged: true } : {}),
        },
      });
    });
    this.audit.logCommitted(audit);
    await this.directory.refresh();
    return tenantView(await this.require(tenant));
  }

  async erase(tenantParam: string, confirmed: boolean, actor: AuditActor): Promise<ErasedTenantDto> {
    const tenant = tenantParam.toUpperCase();
    if (!confirmed) throw new EraseConfirmationRequired(tenant);
    const configured = this.registry.configuredKeys(tenant);
    if (configured.some((key) => key.source === 'env')) {
      throw new TenantKeysConfigured(tenant, `the environment (API_KEY_${tenant})`);
    }
    if (configured.length > 0) throw new TenantKeysConfigured(tenant, `the keys file ${this.config.apiKeysFile}`);
    const { erased, audit } = await this.transactions.run(async (manager) => {
      if (!(await this.repository.find(tenant, manager)) && !this.registry.hasTenant(tenant)) {
        throw new TenantNotFound(tenant);
      }
      const leadCounts = await this.leads.eraseTenant(tenant, manager);
      const apiKeys = await this.keys.eraseTenant(tenant, manager);
      await this.repository.delete(tenant, manager);
      const erased = { ...leadCounts, apiKeys };
      const audit = await this.audit.record(manager, actor, { action: 'tenant.erase', tenant, details: erased });
      return { erased, audit };
    });
    this.audit.logCommitted(audit);
    await this.directory.refresh();
    await this.auth.keysChanged();
    return { tenant, erased };
  }

  private async require(tenant: string): Promise<TenantEntity> {
    const row = await this.repository.find(tenant);
    if (row) return row;
    if (!this.registry.hasTenant(tenant)) throw new TenantNotFound(tenant);
    // A tenant known only from its keys: registered on first sight.
    await this.repository.registerMissing([tenant], this.clock.date());
    await this.directory.refresh();
    const registered = await this.repository.find(tenant);
    if (!registered) throw new TenantNotFound(tenant);
    return registered;
  }
}
