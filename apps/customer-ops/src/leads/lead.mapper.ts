import { LeadDetailDto, LeadDto, OutcomeEntryDto } from './dto/lead.dto';
import { LeadOutcomeEntity } from './entities/lead-outcome.entity';
import { LeadEntity } from './entities/lead.entity';

/**
 * The columns a lead's response is made of: all but the search text, the tenant (always the
 * caller's) and the latest outcome's time and time to conversion.
 */
export type LeadView = Pick<
  LeadEntity,
  | 'id'
  | 'name'
  | 'phone'
  | 'email'
  | 'company'
  | 'details'
  | 'source'
  | 'intent'
  | 'urgency'
  | 'sentiment'
  | 'score'
  | 'conversionProbability'
  | 'outcome'
  | 'createdAt'
>;

/** An outcome entry as responses show it, with the id that orders entries of the same instant. */
export type OutcomeView = Pick<
  LeadOutcomeEntity,
  'id' | 'outcome' | 'notes' | 'timeToConversionSeconds' | 'recordedAt'
>;

export function toLeadDto(tenant: string, lead: LeadView): LeadDto {
  return {
    id: lead.id,
    tenant,
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

export function toOutcomeEntryDto(entry: OutcomeView): OutcomeEntryDto {
  return {
    outcome: entry.outcome,
    notes: entry.notes,
    timeToConversionSeconds: entry.timeToConversionSeconds,
    recordedAt: entry.recordedAt.toISOString(),
  };
}

/** `history` oldest first; `truncated` when older entries exist beyond it. */
export function toLeadDetailDto(
  tenant: string,
  lead: LeadView,
  history: OutcomeView[],
  truncated: boolean,
): LeadDetailDto {
  return { ...toLeadDto(tenant, lead), outcomes: history.map(toOutcomeEntryDto), outcomesTruncated: truncated };
}
