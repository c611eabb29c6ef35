import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { ApiKeyEntity } from './entities/api-key.entity';
import { TenantEntity } from './entities/tenant.entity';

/** Database access for tenants and minted keys. Every key query is scoped to a tenant. */
@Injectable()
export class ApiKeysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /** Keys that may still authenticate at `now`: not expired, and not revoked or still in grace. */
  async listUsable(now: Date): Promise<ApiKeyEntity[]> {
    const rows = await this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
    return rows.filter((row) => (!row.expiresAt || row.expiresAt > now) && (!row.revokedAt || row.revokedAt > now));
  }

  /** Changes whenever a key is minted or revoked: a cheap way for instances to notice. */
  async changeSignature(): Promise<string> {
    const row = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .select('COUNT(*)', 'count')
      .addSelect('MAX(k.createdAt)', 'created')
      .addSelect('MAX(k.revokedAt)', 'revoked')
      .getRawOne<{ count: string | number; created: unknown; revoked: unknown }>();
    return JSON.stringify([Number(row?.count ?? 0), String(row?.created ?? ''), String(row?.revoked ?? '')]);
  }

  /** Records a tenant (for keys minted before any other source names it). */
  async ensureTenant(tenant: string): Promise<void> {
    const tenants = this.dataSource.getRepository(TenantEntity);
    if (!(await tenants.existsBy({ tenant })))
      await tenants.insert({ tenant, displayName: null, createdAt: new Date() });
  }

  async tenantExists(tenant: string): Promise<boolean> {
    return this.dataSource.getRepository(TenantEntity).existsBy({ tenant });
  }

  /** Stores a minted key and records its tenant, in one transaction. */
  async insertKey(key: ApiKeyEntity): Promise<void> {
    await this.transactions.run(async (manager) => {
      const tenants = manager.getRepository(TenantEntity);
      if (!(await tenants.existsBy({ tenant: key.tenant }))) {
        await tenants.insert({ tenant: key.tenant, displayName: null, createdAt: key.createdAt });
      }
      await manager.getRepository(ApiKeyEntity).insert(key);
    });
  }

  async findKey(tenant: string, id: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ tenant, id });
  }

  async revokeKey(tenant: string, id: string, revokedAt: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).update({ tenant, id }, { revokedAt });
  }
}
