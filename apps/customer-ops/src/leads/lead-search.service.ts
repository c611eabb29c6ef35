import { Injectable } from '@nestjs/common';
import { SearchLeadsQuery } from './dto/lead-queries.dto';
import { DEFAULT_PAGE_SIZE } from '@app/http';
import { SearchResultsDto } from './dto/lead.view';
import { tokenize } from './enrichment/enricher';
import { LeadEntity } from './entities/lead.entity';
import { LeadsRepository } from './leads.repository';

const MAX_TERMS = 10;
const MAX_CANDIDATES = 500;
const PREVIEW_CONTEXT = 60;

function occurrences(text: string, term: string): number {
  let count = 0;
  for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) count++;
  return count;
}

function previewOf(lead: LeadEntity, terms: string[]): string {
  const text = lead.details ?? lead.company ?? lead.name;
  const lower = text.toLowerCase();
  const at = Math.min(...terms.map((term) => lower.indexOf(term)).filter((i) => i >= 0), Number.MAX_SAFE_INTEGER);
  const start = at === Number.MAX_SAFE_INTEGER ? 0 : Math.max(0, at - PREVIEW_CONTEXT);
  const end = Math.min(text.length, start + 2 * PREVIEW_CONTEXT);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * Term search over a tenant's leads. The database narrows to leads containing any term (in
 * the lower-cased search text stored at capture); ranking by number of term occurrences is
 * done here, so SQLite and Postgres return the same results in the same order.
 */
@Injectable()
export class LeadSearchService {
  constructor(private readonly repository: LeadsRepository) {}

  async search(tenant: string, query: SearchLeadsQuery): Promise<SearchResultsDto> {
    const terms = [...new Set(tokenize(query.q))].slice(0, MAX_TERMS);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (terms.length === 0) return { query: query.q, count: 0, results: [] };
    const candidates = await this.repository.searchCandidates(tenant, terms, MAX_CANDIDATES);
    const ranked = candidates
      .map((lead) => ({ lead, hits: terms.reduce((sum, term) => sum + occurrences(lead.searchText, term), 0) }))
      .sort(
        (a, b) =>
          b.hits - a.hits ||
          b.lead.createdAt.getTime() - a.lead.createdAt.getTime() ||
          (a.lead.id < b.lead.id ? 1 : a.lead.id > b.lead.id ? -1 : 0),
      )
      .slice(0, limit);
    return {
      query: query.q,
      count: ranked.length,
      results: ranked.map(({ lead, hits }) => ({
        id: lead.id,
        name: lead.name,
        score: lead.score,
        hits,
        preview: previewOf(lead, terms),
      })),
    };
  }
}
