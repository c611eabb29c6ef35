import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig, Clock } from '@app/config';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor } from '@app/http';
import { CaptureLeadDto } from './dto/capture-lead.dto';
import { ListLeadsQuery } from './dto/lead-queries.dto';
import { LeadDetailDto, LeadDto, LeadPageDto } from './dto/lead.dto';
import { enrich, ENRICHMENT_DISABLED } from './enrichment/enricher';
import { LeadEntity } from './entities/lead.entity';
import { IdempotencyService, IdempotentResult } from './idempotency.service';
import { toLeadDetailDto, toLeadDto } from './lead.mapper';
import { LeadNotFound } from './leads.errors';
import { LeadsMetrics } from './leads.metrics';
import { LeadsRepository, TenantLeadCounts } from './leads.repository';
import { ConversionPredictor } from '../model/conversion-predictor.service';

/** Outcomes a lead's detail carries; the rest are paged at GET /v1/leads/:id/outcomes. */
export const OUTCOMES_IN_DETAIL = 50;

/** Text search matches against: name, company and details, lower-cased once at capture. */
export function searchTextOf(dto: Pick<CaptureLeadDto, 'name' | 'company' | 'details'>): string {
  return [dto.name, dto.company, dto.details].filter(Boolean).join('\n').toLowerCase();
}

/** Capturing, reading and listing leads. */
@Injectable()
export class LeadsService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: LeadsRepository,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: LeadsMetrics,
    private readonly predictor: ConversionPredictor,
  ) {}

  /**
   * Enriches and stores a lead: one INSERT; with an Idempotency-Key, the lead is stored with the
   * key's claim and response at once, and a repeat returns the first response.
   */
  async capture(tenant: string, dto: CaptureLeadDto, idempotencyKey?: string): Promise<IdempotentResult<LeadDto>> {
    let result: IdempotentResult<LeadDto>;
    if (idempotencyKey === undefined) {
      const lead = this.build(tenant, dto);
      await this.repository.insert(lead);
      result = { status: 201, body: toLeadDto(tenant, lead), replayed: false };
    } else {
      result = await this.idempotency.execute(tenant, idempotencyKey, dto, 201, () => {
        const lead = this.build(tenant, dto);
        return { body: toLeadDto(tenant, lead), store: { target: LeadEntity, row: lead } };
      });
    }
    if (!result.replayed) this.metrics.enrichment(result.body.enrichment);
    return result;
  }

  /** Removes all of a tenant's lead data in the caller's transaction (offboarding, erasure requests). */
  eraseTenant(tenant: string, manager: EntityManager): Promise<TenantLeadCounts> {
    return this.repository.eraseTenant(tenant, manager);
  }

  /** The lead with its latest OUTCOMES_IN_DETAIL outcomes (oldest first): never the whole history. */
  async get(tenant: string, id: string): Promise<LeadDetailDto> {
    const lead = await this.repository.findView(tenant, id);
    if (!lead) throw new LeadNotFound(id);
    const newest = await this.repository.outcomesNewestFirst(tenant, id, null, OUTCOMES_IN_DETAIL + 1);
    const truncated = newest.length > OUTCOMES_IN_DETAIL;
    return toLeadDetailDto(tenant, lead, newest.slice(0, OUTCOMES_IN_DETAIL).reverse(), truncated);
  }

  async list(tenant: string, query: ListLeadsQuery): Promise<LeadPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.repository.page(tenant, query, after, limit);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((lead) => toLeadDto(tenant, lead)),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /** The lead as stored: enriched and scored, with its id and capture time. */
  private build(tenant: string, dto: CaptureLeadDto): LeadEntity {
    const enrichment = this.config.enrichmentEnabled ? enrich(dto.details, dto.name) : ENRICHMENT_DISABLED;
    const lead: LeadEntity = {
      id: randomUUID(),
      tenant,
      name: dto.name,
      phone: dto.phone ?? null,
      email: dto.email ?? null,
      company: dto.company ?? null,
      details: dto.details ?? null,
      source: dto.source ?? null,
      searchText: searchTextOf(dto),
      ...enrichment,
      conversionProbability: null,
      outcome: null,
      outcomeAt: null,
      timeToConversionSeconds: null,
      createdAt: this.clock.date(),
    };
    lead.conversionProbability = this.predictor.predict(lead);
    return lead;
  }
}
