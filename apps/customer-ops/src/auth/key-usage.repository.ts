import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { ApiKeyUsageEntity } from './entities/api-key-usage.entity';

/** Rows per statement: well under the bound-parameter limits of SQLite and Postgres. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The api_key_usage table: when each key last authenticated a request. */
@Injectable()
export class KeyUsageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private rows(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiKeyUsageEntity);
  }

  /** Stored last-use times of these keys (keys never used are absent). */
  async lastUsed(keyIds: string[], manager?: EntityManager): Promise<Map<string, Date>> {
    const found = new Map<string, Date>();
    for (const ids of chunks([...new Set(keyIds)])) {
      const rows = await this.rows(manager).find({ where: { keyId: In(ids) }, select: ['keyId', 'lastUsedAt'] });
      for (const row of rows) found.set(row.keyId, row.lastUsedAt);
    }
    return found;
  }

  /**
   * Upserts a batch of last-use times. A stored time is never moved back (another instance
   * may have recorded a later use of the same key).
   */
  async record(usages: ApiKeyUsageEntity[]): Promise<void> {
    if (usages.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const stored = await this.lastUsed(
        usages.map((usage) => usage.keyId),
        manager,
      );
      const newer = usages.filter((usage) => {
        const current = stored.get(usage.keyId);
        return !current || current.getTime() < usage.lastUsedAt.getTime();
      });
      for (const batch of chunks(newer)) await this.rows(manager).upsert(batch, ['keyId']);
    });
  }

  /** Deletes a tenant's usage rows, in the caller's transaction (offboarding). */
  async eraseTenant(tenant: string, manager: EntityManager): Promise<void> {
    await this.rows(manager).delete({ tenant });
  }
}
