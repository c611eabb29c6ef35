import { Injectable } from '@nestjs/common';
import { Clock } from '@app/config';
import { TransactionRunner } from '@app/database';
import { AuditActor } from '../audit/audit.actions';
import { AuditService } from '../audit/audit.service';
import { ApiKeysService } from '../auth/api-keys.service';
import { AuthService } from '../auth/auth.service';
import { KeyRegistry } from '../auth/key-registry.service';
import { KeyUsageRecorder } from '../auth/key-usage.service';
import { RegisteredKey } from '../auth/registered-key';
import { MintedKeyDto, RevokedKeyDto, TenantKeyDto } from './dto/tenant-keys.dto';
import { TenantDirectory } from './tenant-directory.service';
import { TenantNotFound } from './tenants.errors';

/** A key as the admin routes show it; `lastUsedAt` is its stored last use (to the minute), if any. */
export function keyView(key: RegisteredKey, lastUsedAt?: Date): TenantKeyDto {
  return {
    id: key.id,
    source: key.source,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: lastUsedAt?.toISOString() ?? null,
    ...(key.revokedAt ? { revokedAt: key.revokedAt.toISOString() } : {}),
  };
}

/** A tenant's keys as the admin routes show and change them; the keys themselves belong to auth. */
@Injectable()
export class TenantKeysService {
  constructor(
    private readonly registry: KeyRegistry,
    private readonly usage: KeyUsageRecorder,
    private readonly keys: ApiKeysService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly directory: TenantDirectory,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Active keys by tenant (only `tenant`'s when given), oldest first, with their last use (one query). */
  async activeByTenant(tenant?: string): Promise<Map<string, TenantKeyDto[]>> {
    const byTenant = new Map<string, RegisteredKey[]>();
    const active = this.registry.activeKeys().filter((key) => tenant === undefined || key.tenant === tenant);
    for (const key of active) {
      byTenant.set(key.tenant, [...(byTenant.get(key.tenant) ?? []), key]);
    }
    const lastUsed = await this.usage.lastUsed(active.map((key) => key.id));
    return new Map(
      [...byTenant].map(([name, keys]) => [
        name,
        keys
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
          .map((key) => keyView(key, lastUsed.get(key.id))),
      ]),
    );
  }

  exists(tenant: string): boolean {
    return this.directory.get(tenant) !== undefined || this.registry.hasTenant(tenant);
  }

  async mint(tenantParam: string, expiresInDays: number | undefined, actor: AuditActor): Promise<MintedKeyDto> {
    const tenant = tenantParam.toUpperCase();
    if (!this.exists(tenant)) throw new TenantNotFound(tenant);
    const { minted, row } = await this.transactions.run(async (manager) => {
      const minted = await this.keys.mint(tenant, expiresInDays, this.clock.date(), manager);
      const row = await this.audit.record(manager, actor, {
        action: 'key.mint',
        tenant,
        target: minted.id,
        details: { fingerprint: minted.fingerprint },
      });
      return { minted, row };
    });
    this.audit.logCommitted(row);
    await this.auth.keysChanged();
    return { ...minted, expiresAt: minted.expiresAt?.toISOString() ?? null };
  }

  async revoke(tenantParam: string, id: string, graceSeconds: number, actor: AuditActor): Promise<RevokedKeyDto> {
    const tenant = tenantParam.toUpperCase();
    const { revoked, row } = await this.transactions.run(async (manager) => {
      const revoked = await this.keys.revoke(tenant, id, graceSeconds, this.clock.date(), manager);
      const row = revoked.changed
        ? await this.audit.record(manager, actor, {
            action: 'key.revoke',
            tenant,
            target: id,
            details: { fingerprint: revoked.fingerprint, graceSeconds, revokedAt: revoked.revokedAt.toISOString() },
          })
        : null;
      return { revoked, row };
    });
    if (row) {
      this.audit.logCommitted(row);
      await this.auth.keysChanged();
    }
    return { id, revokedAt: revoked.revokedAt.toISOString() };
  }
}
