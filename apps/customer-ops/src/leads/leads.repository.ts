import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { PageCursor } from '@app/http';
import { LeadOutcomeEntity } from './entities/lead-outcome.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { LeadEntity } from './entities/lead.entity';
import type { TrainingRow } from '../model/features';
import { LeadFilters, LeadStatements, readLeadView, SearchRow } from './lead-statements';
import type { LeadView, OutcomeView } from './lead.mapper';
import { fromDatabaseDate, Stored } from './native-sql';
import { CONVERTED_OUTCOME, FINAL_OUTCOMES, isConversion } from './outcomes';

export type { LeadFilters } from './lead-statements';

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

/** Upper bound on the rows one retrain reads. */
const MAX_TRAINING_ROWS = 200_000;

/**
 * The only code that reads or writes leads and their outcomes. Every query is tenant-scoped,
 * except the two reads for the conversion model, which is shared by all tenants
 * (`conversionTotals`, `trainingRows`). The statements of the lead routes (capture, list,
 * search, detail) are sent as written in lead-statements.ts, one per call, with only the
 * columns their responses show.
 */
@Injectable()
export class LeadsRepository {
  private readonly statements: LeadStatements;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {
    this.statements = new LeadStatements(dataSource);
  }

  /** One INSERT: no transaction of its own, nothing read back (the id is the caller's). */
  async insert(lead: LeadEntity): Promise<void> {
    const { insert, leadColumns } = this.statements;
    await this.dataSource.query(insert.text, insert.values(leadColumns.values(lead)));
  }

  findOne(tenant: string, id: string): Promise<LeadEntity | null> {
    return this.dataSource.getRepository(LeadEntity).findOneBy({ tenant, id });
  }

  /** The lead's response columns, in one statement (the primary key). */
  async findView(tenant: string, id: string): Promise<LeadView | null> {
    const statement = this.statements.view;
    const rows = await this.dataSource.query<Stored<LeadView>[]>(statement.text, statement.values({ tenant, id }));
    return rows.length === 0 ? null : readLeadView(rows[0]);
  }

  /**
   * A lead's outcome history, newest first by (recordedAt, id), after the cursor when given:
   * at most `take` rows, in one statement (idx_lead_outcomes_tenant_lead).
   */
  async outcomesNewestFirst(
    tenant: string,
    leadId: string,
    after: PageCursor | null,
    take: number,
  ): Promise<OutcomeView[]> {
    const statement = after ? this.statements.outcomesAfter : this.statements.outcomes;
    const rows = await this.dataSource.query<Stored<OutcomeView>[]>(
      statement.text,
      statement.values({ tenant, leadId, take, afterAt: after?.createdAt ?? null, afterId: after?.id ?? null }),
    );
    for (const row of rows) (row as OutcomeView).recordedAt = fromDatabaseDate(row.recordedAt);
    return rows as OutcomeView[];
  }

  exists(tenant: string, id: string): Promise<boolean> {
    return this.dataSource.getRepository(LeadEntity).existsBy({ tenant, id });
  }

  /**
   * Newest first, the response columns only, in one statement; `limit + 1` rows so the caller
   * can tell whether another page exists.
   */
  async page(tenant: string, filters: LeadFilters, after: PageCursor | null, limit: number): Promise<LeadView[]> {
    const statement = this.statements.page(filters, after !== null);
    const rows = await this.dataSource.query<Stored<LeadView>[]>(
      statement.text,
      statement.values({
        tenant,
        intent: filters.intent ?? null,
        urgency: filters.urgency ?? null,
        outcome: filters.outcome ?? null,
        afterAt: after?.createdAt ?? null,
        afterId: after?.id ?? null,
        take: limit + 1,
      }),
    );
    return rows.map(readLeadView);
  }

  /**
   * Term search, in one statement: of the newest `candidates` leads whose search text contains
   * any of the (lower-cased) terms, the `take` with the most occurrences of the terms (then
   * newest first), each with its hits and the text its preview is cut from (details, else
   * company, else name). The search text itself never leaves the database.
   */
  search(tenant: string, terms: string[], candidates: number, take: number): Promise<SearchRow[]> {
    const statement = this.statements.search(terms.length);
    const params: Record<string, unknown> = { tenant, candidates, take };
    terms.forEach((term, i) => {
      params[`term${i}`] = term;
      params[`pattern${i}`] = `%${term.replace(/[\\%_]/g, '\\$&')}%`;
    });
    return this.dataSource.query<SearchRow[]>(statement.text, statement.values(params));
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
      .andWhere('l.outcome = :converted', { converted: CONVERTED_OUTCOME })
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
      .select('SUM(CASE WHEN l.outcome = :converted THEN 1 ELSE 0 END)', 'booked')
      .addSelect('COUNT(l.outcome)', 'withOutcome')
      .setParameter('converted', CONVERTED_OUTCOME)
      .getRawOne<{ booked: string | number | null; withOutcome: string | number }>();
    return { booked: Number(row?.booked ?? 0), withOutcome: Number(row?.withOutcome ?? 0) };
  }

  /**
   * Training rows for the shared conversion model: every tenant's leads whose latest outcome
   * is final, with only the columns the features read, in a stable order so that training is
   * reproducible.
   */
  async trainingRows(): Promise<TrainingRow[]> {
    const leads = await this.dataSource.getRepository(LeadEntity).find({
      select: {
        intent: true,
        urgency: true,
        sentiment: true,
        score: true,
        details: true,
        phone: true,
        email: true,
        company: true,
        createdAt: true,
        outcome: true,
      },
      where: { outcome: In([...FINAL_OUTCOMES]) },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: MAX_TRAINING_ROWS,
    });
    return leads.map(({ outcome, ...lead }) => ({ ...lead, converted: isConversion(outcome) }));
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
