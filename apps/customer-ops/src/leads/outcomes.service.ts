import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OutcomeAnalyticsDto } from './dto/lead.view';
import { OutcomeRecordedDto, RecordOutcomeDto } from './dto/record-outcome.dto';
import { LeadNotFound } from './leads.errors';
import { LeadsMetrics } from './leads.metrics';
import { LeadsRepository } from './leads.repository';
import { OUTCOMES } from './outcomes';

/** Recording what became of leads, and the per-tenant outcome analytics. */
@Injectable()
export class OutcomesService {
  constructor(
    private readonly repository: LeadsRepository,
    private readonly metrics: LeadsMetrics,
  ) {}

  async record(tenant: string, leadId: string, dto: RecordOutcomeDto): Promise<OutcomeRecordedDto> {
    const lead = await this.repository.findOne(tenant, leadId);
    if (!lead) throw new LeadNotFound(leadId);
    const recordedAt = new Date();
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
    await this.metrics.outcome(dto.outcome);
    return { leadId, outcome: dto.outcome, recordedAt: recordedAt.toISOString() };
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
