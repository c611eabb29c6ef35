import { LeadDetailDto, LeadDto, OutcomeEntryDto } from './dto/lead.view';
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

export function toOutcomeEntryDto(entry: LeadOutcomeEntity): OutcomeEntryDto {
  return {
    outcome: entry.outcome,
    notes: entry.notes,
    timeToConversionSeconds: entry.timeToConversionSeconds,
    recordedAt: entry.recordedAt.toISOString(),
  };
}

/** `history` oldest first; `truncated` when older entries exist beyond it. */
export function toLeadDetailDto(lead: LeadEntity, history: LeadOutcomeEntity[], truncated: boolean): LeadDetailDto {
  return { ...toLeadDto(lead), outcomes: history.map(toOutcomeEntryDto), outcomesTruncated: truncated };
}
