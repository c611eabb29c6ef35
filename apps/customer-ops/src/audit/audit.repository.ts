import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { AuditEventEntity } from './entities/audit-event.entity';

export interface AuditFilters {
  tenant?: string;
  action?: string;
}

export interface AuditCursor {
  at: Date;
  id: string;
}

/** The audit_events table: append-only. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: AuditEventEntity, manager: EntityManager): Promise<void> {
    await manager.getRepository(AuditEventEntity).insert(row);
  }

  /** Newest first; `limit + 1` rows so the caller can tell whether another page exists. */
  page(filters: AuditFilters, after: AuditCursor | null, limit: number): Promise<AuditEventEntity[]> {
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('a');
    if (filters.tenant) query.andWhere('a.tenant = :tenant', { tenant: filters.tenant });
    if (filters.action) query.andWhere('a.action = :action', { action: filters.action });
    if (after) {
      query.andWhere(
        new Brackets((q) =>
          q
            .where('a.at < :afterAt', { afterAt: after.at })
            .orWhere('(a.at = :afterAt AND a.id < :afterId)', { afterAt: after.at, afterId: after.id }),
        ),
      );
    }
    return query
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(limit + 1)
      .getMany();
  }
}
