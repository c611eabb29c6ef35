import { LeadDetailDto, LeadDto } from './dto/lead.view';
import { LeadOutcomeEntity } from './entities/lead-outcome.entity';
import { LeadEntity } from './entities/lead.entity';

export function toLeadDto(lead: LeadEntity): LeadDto {
  return {
    id: lead.id,
    tenant: lead.tenant,
    name: lead.name,
    phone: lead.phone,
    email: lead.email,
    company: lead.company,
    details: lead.details,
    source: lead.source,
    enrichment: { intent: lead.intent, urgency: lead.urgency, sentiment: lead.sentiment, score: lead.score },
    conversionProbability: lead.conversionProbability,
    outcome: lead.outcome,
    createdAt: lead.createdAt.toISOString(),
  };
}

export function toLeadDetailDto(lead: LeadEntity, history: LeadOutcomeEntity[]): LeadDetailDto {
  return {
    ...toLeadDto(lead),
    outcomes: history.map((entry) => ({
      outcome: entry.outcome,
      notes: entry.notes,
      timeToConversionSeconds: entry.timeToConversionSeconds,
      recordedAt: entry.recordedAt.toISOString(),
    })),
  };
}
