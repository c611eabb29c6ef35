import { Injectable } from '@nestjs/common';
import { SearchLeadsQuery } from './dto/lead-queries.dto';
import { DEFAULT_PAGE_SIZE } from '@app/http';
import { SearchResultsDto } from './dto/lead.dto';
import { tokenize } from './enrichment/enricher';
import { LeadsRepository } from './leads.repository';

const MAX_TERMS = 10;
const MAX_CANDIDATES = 500;
const PREVIEW_CONTEXT = 60;

/** The text around the first match in `text` (the lead's details, else company, else name). */
function previewOf(text: string, terms: string[]): string {
  const lower = text.toLowerCase();
  const at = Math.min(...terms.map((term) => lower.indexOf(term)).filter((i) => i >= 0), Number.MAX_SAFE_INTEGER);
  const start = at === Number.MAX_SAFE_INTEGER ? 0 : Math.max(0, at - PREVIEW_CONTEXT);
  const end = Math.min(text.length, start + 2 * PREVIEW_CONTEXT);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * Term search over a tenant's leads, in one statement: the database narrows to the newest
 * MAX_CANDIDATES leads containing any term (in the lower-cased search text stored at capture)
 * and ranks them by number of term occurrences, then newest first, counting occurrences the
 * same way on SQLite and Postgres (non-overlapping, left to right), so both return the same
 * results in the same order. The preview is cut here.
 */
@Injectable()
export class LeadSearchService {
  constructor(private readonly repository: LeadsRepository) {}

  async search(tenant: string, query: SearchLeadsQuery): Promise<SearchResultsDto> {
    const terms = [...new Set(tokenize(query.q))].slice(0, MAX_TERMS);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (terms.length === 0) return { query: query.q, count: 0, results: [] };
    const rows = await this.repository.search(tenant, terms, MAX_CANDIDATES, limit);
    return {
      query: query.q,
      count: rows.length,
      results: rows.map((row) => ({
        id: row.id,
        name: row.name,
        score: row.score,
        hits: row.hits,
        preview: previewOf(row.text, terms),
      })),
    };
  }
}
