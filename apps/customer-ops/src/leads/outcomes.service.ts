import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '@app/config';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor } from '@app/http';
import { ListOutcomesQuery } from './dto/lead-queries.dto';
import { OutcomeAnalyticsDto, OutcomePageDto } from './dto/lead.dto';
import { OutcomeRecordedDto, RecordOutcomeDto } from './dto/record-outcome.dto';
import { toOutcomeEntryDto } from './lead.mapper';
import { LeadNotFound } from './leads.errors';
import { LeadsMetrics } from './leads.metrics';
import { LeadsRepository } from './leads.repository';
import { OUTCOMES } from './outcomes';

/** Recording what became of leads, their outcome history, and the per-tenant outcome analytics. */
@Injectable()
export class OutcomesService {
  constructor(
    private readonly repository: LeadsRepository,
    private readonly metrics: LeadsMetrics,
    private readonly clock: Clock,
  ) {}

  async record(tenant: string, leadId: string, dto: RecordOutcomeDto): Promise<OutcomeRecordedDto> {
    const lead = await this.repository.findOne(tenant, leadId);
    if (!lead) throw new LeadNotFound(leadId);
    const recordedAt = this.clock.date();
    // A booking without an explicit time to conversion is measured from capture.
    const timeToConversionSeconds =
      dto.timeToConversionSeconds ??
      (dto.outcome === 'booked'
        ? Math.max(0, Math.round((recordedAt.getTime() - lead.createdAt.getTime()) / 1000))
        : null);
    const recorded = await this.repository.recordOutcome(tenant, {
      id: randomUUID(),
      tenant,
      leadId,
      outcome: dto.outcome,
      notes: dto.notes ?? null,
      timeToConversionSeconds,
      recordedAt,
    });
    if (!recorded) throw new LeadNotFound(leadId);
    this.metrics.outcome(dto.outcome);
    return { leadId, outcome: dto.outcome, recordedAt: recordedAt.toISOString() };
  }

  /** One page of a lead's whole outcome history, newest first by (recordedAt, id). */
  async history(tenant: string, leadId: string, query: ListOutcomesQuery): Promise<OutcomePageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (!(await this.repository.exists(tenant, leadId))) throw new LeadNotFound(leadId);
    const rows = await this.repository.outcomesNewestFirst(tenant, leadId, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toOutcomeEntryDto),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.recordedAt, id: last.id }) : null,
    };
  }

  async analytics(tenant: string): Promise<OutcomeAnalyticsDto> {
    const counts = await this.repository.outcomeCounts(tenant);
    const breakdown = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, counts.byOutcome[outcome] ?? 0]));
    const totalOutcomes = Object.values(breakdown).reduce((sum, n) => sum + n, 0);
    return {
      totalLeads: counts.totalLeads,
      totalOutcomes,
      breakdown,
      conversionRate: totalOutcomes === 0 ? 0 : Math.round((breakdown.booked / totalOutcomes) * 10_000) / 10_000,
      avgTimeToConversionSeconds:
        counts.avgBookedTimeToConversion === null ? null : Math.round(counts.avgBookedTimeToConversion * 100) / 100,
    };
  }
}
