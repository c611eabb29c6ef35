import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { isUniqueViolation } from '@app/database';
import { TenantEntity } from './entities/tenant.entity';

export type TenantChanges = Partial<Pick<TenantEntity, 'displayName' | 'status' | 'plan' | 'limits'>>;

/** The tenants table. */
@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private tenants(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(TenantEntity);
  }

  find(tenant: string, manager?: EntityManager): Promise<TenantEntity | null> {
    return this.tenants(manager).findOneBy({ tenant });
  }

  listAll(): Promise<TenantEntity[]> {
    return this.tenants().find({ order: { tenant: 'ASC' } });
  }

  async insert(row: TenantEntity, manager: EntityManager): Promise<void> {
    await this.tenants(manager).insert(row);
  }

  async update(tenant: string, changes: TenantChanges, now: Date, manager: EntityManager): Promise<void> {
    await this.tenants(manager)
      .createQueryBuilder()
      .update()
      .set({ ...changes, updatedAt: now, revision: () => 'revision + 1' })
      .where('tenant = :tenant', { tenant })
      .execute();
  }

  async delete(tenant: string, manager: EntityManager): Promise<void> {
    await this.tenants(manager).delete({ tenant });
  }

  /** Changes whenever a tenant is created, changed or removed. */
  async changeSignature(): Promise<string> {
    const row = await this.tenants()
      .createQueryBuilder('t')
      .select('COUNT(*)', 'count')
      .addSelect('SUM(t.revision)', 'revisions')
      .getRawOne<{ count: string | number; revisions: string | number | null }>();
    return `${Number(row?.count ?? 0)}:${Number(row?.revisions ?? 0)}`;
  }

  /** Records tenants that keys name but the table lacks (plan default). Concurrent instances may race: fine. */
  async registerMissing(names: string[], now: Date): Promise<number> {
    if (names.length === 0) return 0;
    const known = new Set(
      (await this.tenants().find({ select: { tenant: true }, where: { tenant: In(names) } })).map((t) => t.tenant),
    );
    let added = 0;
    for (const tenant of names.filter((name) => !known.has(name))) {
      try {
        await this.tenants().insert({
          tenant,
          displayName: null,
          status: 'active',
          plan: 'default',
          limits: null,
          revision: 0,
          createdAt: now,
          updatedAt: now,
        });
        added++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return added;
  }
}
