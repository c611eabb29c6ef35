import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SENTIMENTS, URGENCIES } from '../enrichment/enricher';
import { INTENTS } from '../enrichment/lexicons';
import { OUTCOMES } from '../outcomes';

export class EnrichmentDto {
  @ApiProperty({ enum: [...INTENTS, 'unknown'], example: 'lead_capture' })
  intent: string;

  @ApiProperty({ enum: URGENCIES, example: 'high' })
  urgency: string;

  @ApiProperty({ enum: SENTIMENTS, example: 'neutral' })
  sentiment: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8 })
  score: number;
}

export class LeadDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'EXPERTCO' })
  tenant: string;

  @ApiProperty({ example: 'Jane Roofer' })
  name: string;

  @ApiProperty({ nullable: true, type: String, example: '+1 555 010 2030' })
  phone: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'jane@example.com' })
  email: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Roofing Co' })
  company: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'URGENT: need an estimate for metal roof today' })
  details: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'website' })
  source: string | null;

  @ApiProperty({ type: EnrichmentDto })
  enrichment: EnrichmentDto;

  @ApiProperty({ nullable: true, type: Number, example: 0.734, description: 'Set when a conversion model is active' })
  conversionProbability: number | null;

  @ApiProperty({ nullable: true, enum: [...OUTCOMES, null], description: 'Latest recorded outcome' })
  outcome: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class OutcomeEntryDto {
  @ApiProperty({ enum: OUTCOMES })
  outcome: string;

  @ApiProperty({ nullable: true, type: String })
  notes: string | null;

  @ApiProperty({ nullable: true, type: Number })
  timeToConversionSeconds: number | null;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;
}

export class LeadDetailDto extends LeadDto {
  @ApiProperty({
    type: [OutcomeEntryDto],
    maxItems: 50,
    description: 'The latest 50 recorded outcomes, oldest first; GET /v1/leads/{id}/outcomes pages through all of them',
  })
  outcomes: OutcomeEntryDto[];

  @ApiProperty({ description: 'true when older outcomes exist than the ones in outcomes', example: false })
  outcomesTruncated: boolean;
}

export class OutcomePageDto {
  @ApiProperty({ type: [OutcomeEntryDto], description: 'Newest first' })
  items: OutcomeEntryDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class LeadPageDto {
  @ApiProperty({ type: [LeadDto] })
  items: LeadDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class SearchHitDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ description: "The lead's enrichment score", example: 0.8 })
  score: number;

  @ApiProperty({ description: 'Occurrences of the query terms in name, company and details', example: 2 })
  hits: number;

  @ApiProperty({ description: 'Text around the first match', example: '…need an estimate for metal roof today' })
  preview: string;
}

export class SearchResultsDto {
  @ApiProperty({ example: 'roof estimate' })
  query: string;

  @ApiProperty({ example: 1 })
  count: number;

  @ApiProperty({ type: [SearchHitDto] })
  results: SearchHitDto[];
}

export class OutcomeAnalyticsDto {
  @ApiProperty({ example: 120 })
  totalLeads: number;

  @ApiProperty({ description: 'Leads with a recorded outcome', example: 80 })
  totalOutcomes: number;

  @ApiProperty({
    example: { booked: 20, ghosted: 30, qualified: 10, unqualified: 10, nurture: 5, spam: 5 },
    description: 'Leads by latest outcome, every outcome listed',
  })
  breakdown: Record<string, number>;

  @ApiProperty({ description: 'booked / totalOutcomes', example: 0.25 })
  conversionRate: number;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 86400 })
  avgTimeToConversionSeconds: number | null;
}
