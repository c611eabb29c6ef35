import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { PageCursor } from '@app/http';
import { LeadOutcomeEntity } from './entities/lead-outcome.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { LeadEntity } from './entities/lead.entity';

export interface LeadFilters {
  intent?: string;
  urgency?: string;
  outcome?: string;
}

export interface TenantLeadCounts {
  leads: number;
  outcomes: number;
  idempotencyKeys: number;
}

export interface OutcomeCounts {
  totalLeads: number;
  byOutcome: Record<string, number>;
  avgBookedTimeToConversion: number | null;
}

/** The only code that reads or writes leads and their outcomes. Every query is tenant-scoped. */
@Injectable()
export class LeadsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  async insert(lead: LeadEntity, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(LeadEntity).insert(lead);
  }

  findOne(tenant: string, id: string): Promise<LeadEntity | null> {
    return this.dataSource.getRepository(LeadEntity).findOneBy({ tenant, id });
  }

  /**
   * A lead's outcome history, newest first by (recordedAt, id), after the cursor when given:
   * at most `take` rows, in one statement (idx_lead_outcomes_tenant_lead).
   */
  outcomesNewestFirst(
    tenant: string,
    leadId: string,
    after: PageCursor | null,
    take: number,
  ): Promise<LeadOutcomeEntity[]> {
    const query = this.dataSource
      .getRepository(LeadOutcomeEntity)
      .createQueryBuilder('o')
      .where('o.tenant = :tenant', { tenant })
      .andWhere('o.leadId = :leadId', { leadId });
    if (after) {
      query.andWhere(
        new Brackets((q) =>
          q
            .where('o.recordedAt < :afterAt', { afterAt: after.createdAt })
            .orWhere('(o.recordedAt = :afterAt AND o.id < :afterId)', { afterAt: after.createdAt, afterId: after.id }),
        ),
      );
    }
    return query.orderBy('o.recordedAt', 'DESC').addOrderBy('o.id', 'DESC').limit(take).getMany();
  }

  exists(tenant: string, id: string): Promise<boolean> {
    return this.dataSource.getRepository(LeadEntity).existsBy({ tenant, id });
  }

  /** Newest first; `limit + 1` rows so the caller can tell whether another page exists. */
  page(tenant: string, filters: LeadFilters, after: PageCursor | null, limit: number): Promise<LeadEntity[]> {
    const query = this.dataSource
      .getRepository(LeadEntity)
      .createQueryBuilder('l')
      .where('l.tenant = :tenant', { tenant });
    if (filters.intent) query.andWhere('l.intent = :intent', { intent: filters.intent });
    if (filters.urgency) query.andWhere('l.urgency = :urgency', { urgency: filters.urgency });
    if (filters.outcome) query.andWhere('l.outcome = :outcome', { outcome: filters.outcome });
    if (after) {
      query.andWhere(
        new Brackets((q) =>
          q
            .where('l.createdAt < :afterAt', { afterAt: after.createdAt })
            .orWhere('(l.createdAt = :afterAt AND l.id < :afterId)', { afterAt: after.createdAt, afterId: after.id }),
        ),
      );
    }
    return query
      .orderBy('l.createdAt', 'DESC')
      .addOrderBy('l.id', 'DESC')
      .take(limit + 1)
      .getMany();
  }

  /** Leads whose search text contains any of the (lower-cased) terms, newest first. */
  searchCandidates(tenant: string, terms: string[], max: number): Promise<Array<LeadEntity & { searchText: string }>> {
    const query = this.dataSource
      .getRepository(LeadEntity)
      .createQueryBuilder('l')
      .addSelect('l.searchText')
      .where('l.tenant = :tenant', { tenant })
      .andWhere(
        new Brackets((q) =>
          terms.forEach((term, i) =>
            q.orWhere(`l.searchText LIKE :term${i} ESCAPE '\\'`, {
              [`term${i}`]: `%${term.replace(/[\\%_]/g, '\\$&')}%`,
            }),
          ),
        ),
      )
      .orderBy('l.createdAt', 'DESC')
      .addOrderBy('l.id', 'DESC')
      .take(max);
    return query.getMany() as Promise<Array<LeadEntity & { searchText: string }>>;
  }

  /**
   * Appends to the outcome history and updates the lead's latest outcome, in one transaction.
   * Returns false (writing nothing) when the tenant has no such lead.
   */
  recordOutcome(tenant: string, entry: LeadOutcomeEntity): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const leads = manager.getRepository(LeadEntity);
      const updated = await leads.update(
        { tenant, id: entry.leadId },
        { outcome: entry.outcome, outcomeAt: entry.recordedAt, timeToConversionSeconds: entry.timeToConversionSeconds },
      );
      if (!updated.affected) return false;
      await manager.getRepository(LeadOutcomeEntity).insert(entry);
      return true;
    });
  }

  async outcomeCounts(tenant: string): Promise<OutcomeCounts> {
    const leads = this.dataSource.getRepository(LeadEntity);
    const rows = await leads
      .createQueryBuilder('l')
      .select('l.outcome', 'outcome')
      .addSelect('COUNT(*)', 'count')
      .where('l.tenant = :tenant', { tenant })
      .groupBy('l.outcome')
      .getRawMany<{ outcome: string | null; count: string | number }>();
    const avg = await leads
      .createQueryBuilder('l')
      .select('AVG(l.timeToConversionSeconds)', 'avg')
      .where('l.tenant = :tenant', { tenant })
      .andWhere("l.outcome = 'booked'")
      .andWhere('l.timeToConversionSeconds IS NOT NULL')
      .getRawOne<{ avg: string | number | null }>();
    const byOutcome: Record<string, number> = {};
    let totalLeads = 0;
    for (const row of rows) {
      totalLeads += Number(row.count);
      if (row.outcome) byOutcome[row.outcome] = Number(row.count);
    }
    return {
      totalLeads,
      byOutcome,
      avgBookedTimeToConversion: avg?.avg === null || avg?.avg === undefined ? null : Number(avg.avg),
    };
  }

  /** Across all tenants: leads whose latest outcome is booked, and leads with any outcome. */
  async conversionTotals(): Promise<{ booked: number; withOutcome: number }> {
    const row = await this.dataSource
      .getRepository(LeadEntity)
      .createQueryBuilder('l')
      .select("SUM(CASE WHEN l.outcome = 'booked' THEN 1 ELSE 0 END)", 'booked')
      .addSelect('COUNT(l.outcome)', 'withOutcome')
      .getRawOne<{ booked: string | number | null; withOutcome: string | number }>();
    return { booked: Number(row?.booked ?? 0), withOutcome: Number(row?.withOutcome ?? 0) };
  }

  count(tenant: string): Promise<number> {
    return this.dataSource.getRepository(LeadEntity).countBy({ tenant });
  }

  /** Deletes every lead, outcome and Idempotency-Key record of a tenant (erasure), in the caller's transaction. */
  async eraseTenant(tenant: string, manager: EntityManager): Promise<TenantLeadCounts> {
    const outcomes = await manager.getRepository(LeadOutcomeEntity).delete({ tenant });
    const leads = await manager.getRepository(LeadEntity).delete({ tenant });
    const idempotencyKeys = await manager.getRepository(IdempotencyKeyEntity).delete({ tenant });
    return {
      leads: leads.affected ?? 0,
      outcomes: outcomes.affected ?? 0,
      idempotencyKeys: idempotencyKeys.affected ?? 0,
    };
  }
}
