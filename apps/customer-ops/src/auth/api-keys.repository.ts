import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';

/**
 * The api_keys table: keys minted through the admin API. Queries about one key are scoped to its
 * tenant; the key registry's two reads (`listUsable`, `changeSignature`) cover every tenant.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private keys(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiKeyEntity);
  }

  /** Keys that may still authenticate at `now`: not expired, and not revoked or still in grace. */
  async listUsable(now: Date): Promise<ApiKeyEntity[]> {
    const rows = await this.keys().find({ order: { createdAt: 'ASC' } });
    return rows.filter((row) => (!row.expiresAt || row.expiresAt > now) && (!row.revokedAt || row.revokedAt > now));
  }

  /** Changes whenever a key is minted, revoked or erased: a cheap way for instances to notice. */
  async changeSignature(): Promise<string> {
    const row = await this.keys()
      .createQueryBuilder('k')
      .select('COUNT(*)', 'count')
      .addSelect('MAX(k.createdAt)', 'created')
      .addSelect('MAX(k.revokedAt)', 'revoked')
      .getRawOne<{ count: string | number; created: unknown; revoked: unknown }>();
    return JSON.stringify([Number(row?.count ?? 0), String(row?.created ?? ''), String(row?.revoked ?? '')]);
  }

  async insertKey(key: ApiKeyEntity, manager?: EntityManager): Promise<void> {
    await this.keys(manager).insert(key);
  }

  async findKey(tenant: string, id: string, manager?: EntityManager): Promise<ApiKeyEntity | null> {
    return this.keys(manager).findOneBy({ tenant, id });
  }

  async revokeKey(tenant: string, id: string, revokedAt: Date, manager?: EntityManager): Promise<void> {
    await this.keys(manager).update({ tenant, id }, { revokedAt });
  }

  /** Removes every minted key of a tenant (erasure); returns how many there were. */
  async deleteForTenant(tenant: string, manager: EntityManager): Promise<number> {
    const result = await this.keys(manager).delete({ tenant });
    return result.affected ?? 0;
  }
}
