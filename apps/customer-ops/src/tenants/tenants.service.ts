import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@app/config';
import { AuthService } from '../auth/auth.service';
import { digestKey, fingerprintOf, mintKey } from '../auth/key-material';
import { KeyRegistry } from '../auth/key-registry.service';
import { RegisteredKey } from '../auth/registered-key';
import { ApiKeysRepository } from './api-keys.repository';
import { MintedKeyDto, RevokedKeyDto, TenantKeyDto, TenantListDto } from './dto/tenant-keys.dto';
import { ApiKeyNotFound, KeyManagedElsewhere, TenantNotFound } from './tenants.errors';

const DAY_MS = 86_400_000;

function keyView(key: RegisteredKey): TenantKeyDto {
  return {
    id: key.id,
    source: key.source,
    fingerprint: key.fingerprint,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    ...(key.revokedAt ? { revokedAt: key.revokedAt.toISOString() } : {}),
  };
}

/** Tenant administration: listing, minting and revoking keys. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: KeyRegistry,
    private readonly auth: AuthService,
    private readonly repository: ApiKeysRepository,
  ) {}

  list(): TenantListDto {
    const byTenant = new Map<string, RegisteredKey[]>();
    for (const key of this.registry.activeKeys()) {
      byTenant.set(key.tenant, [...(byTenant.get(key.tenant) ?? []), key]);
    }
    const tenants = [...byTenant.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tenant, keys]) => ({
        tenant,
        keys: keys.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(keyView),
      }));
    return { count: tenants.length, tenants };
  }

  /** Mints a key for a known tenant; `createTenant` records a new tenant first (demo seeding). */
  async mint(tenantParam: string, expiresInDays?: number, createTenant = false): Promise<MintedKeyDto> {
    const tenant = tenantParam.toUpperCase();
    if (createTenant) await this.repository.ensureTenant(tenant);
    else if (!this.registry.hasTenant(tenant) && !(await this.repository.tenantExists(tenant))) {
      throw new TenantNotFound(tenant);
    }
    const key = mintKey();
    const digest = digestKey(key);
    const now = new Date();
    const row = {
      id: randomUUID(),
      tenant,
      keyHash: digest,
      fingerprint: fingerprintOf(digest),
      createdAt: now,
      expiresAt: expiresInDays ? new Date(now.getTime() + expiresInDays * DAY_MS) : null,
      revokedAt: null,
    };
    await this.repository.insertKey(row);
    await this.auth.applyChange('db', { action: 'mint', tenant, keyId: row.id, fingerprint: row.fingerprint });
    return { id: row.id, tenant, key, fingerprint: row.fingerprint, expiresAt: row.expiresAt?.toISOString() ?? null };
  }

  async revoke(tenantParam: string, id: string, graceSeconds = 0): Promise<RevokedKeyDto> {
    const tenant = tenantParam.toUpperCase();
    const row = await this.repository.findKey(tenant, id);
    if (!row) {
      const known = this.registry.findKey(tenant, id);
      if (known?.source === 'env') throw new KeyManagedElsewhere(id, `the environment (API_KEY_${tenant})`);
      if (known?.source === 'file') throw new KeyManagedElsewhere(id, `the keys file ${this.config.apiKeysFile}`);
      throw new ApiKeyNotFound(tenant, id);
    }
    if (row.revokedAt) return { id, revokedAt: row.revokedAt.toISOString() };
    const revokedAt = new Date(Date.now() + graceSeconds * 1000);
    await this.repository.revokeKey(tenant, id, revokedAt);
    await this.auth.applyChange('db', { action: 'revoke', tenant, keyId: id, fingerprint: row.fingerprint });
    return { id, revokedAt: revokedAt.toISOString() };
  }
}
