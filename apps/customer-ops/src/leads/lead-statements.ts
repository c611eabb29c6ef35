import { DataSource } from 'typeorm';
import { LeadEntity } from './entities/lead.entity';
import type { LeadView } from './lead.mapper';
import { EntityColumns, fromDatabaseDate, NativeStatement, sqlDialect, SqlDialect, Stored } from './native-sql';

/** One search hit as the search statement returns it. */
export interface SearchRow {
  id: string;
  name: string;
  score: number;
  hits: number;
  /** Details, else company, else name: what the preview is cut from. */
  text: string;
}

/** Filters of the list; each one set adds its condition. */
export interface LeadFilters {
  intent?: string;
  urgency?: string;
  outcome?: string;
}

/** A lead's response columns, named as LeadView names them. */
const LEAD_VIEW = [
  '"id"',
  '"name"',
  '"phone"',
  '"email"',
  '"company"',
  '"details"',
  '"source"',
  '"intent"',
  '"urgency"',
  '"sentiment"',
  '"score"',
  '"conversion_probability" AS "conversionProbability"',
  '"outcome"',
  '"created_at" AS "createdAt"',
].join(', ');

const OUTCOME_VIEW =
  '"id", "outcome", "notes", "time_to_conversion_seconds" AS "timeToConversionSeconds", "recorded_at" AS "recordedAt"';

/** Converts a stored lead row in place (its timestamp) and returns it as the view. */
export function readLeadView(row: Stored<LeadView>): LeadView {
  const view = row as LeadView;
  view.createdAt = fromDatabaseDate(row.createdAt);
  return view;
}

/** Occurrences of :termN in the search text, as the application counted them: non-overlapping, left to right. */
const occurrences = (i: number) =>
  `(LENGTH("search_text") - LENGTH(REPLACE("search_text", CAST(:term${i} AS TEXT), ''))) / LENGTH(CAST(:term${i} AS TEXT))`;

/**
 * The SQL of the lead routes, the same text on both databases but for placeholders, compiled
 * once: variants (list filters, the number of search terms) are compiled when first used.
 */
export class LeadStatements {
  readonly dialect: SqlDialect;
  readonly leadColumns: EntityColumns<LeadEntity>;
  readonly insert: NativeStatement<string>;
  readonly view: NativeStatement<'tenant' | 'id'>;
  readonly outcomes: NativeStatement<'tenant' | 'leadId' | 'take'>;
  readonly outcomesAfter: NativeStatement<'tenant' | 'leadId' | 'take' | 'afterAt' | 'afterId'>;
  private readonly pages = new Map<string, NativeStatement<string>>();
  private readonly searches = new Map<number, NativeStatement<string>>();

  constructor(dataSource: DataSource) {
    this.dialect = sqlDialect(dataSource);
    this.leadColumns = new EntityColumns(dataSource, LeadEntity, 'lead');
    const { table, names, parameters } = this.leadColumns;
    this.insert = this.compile(`INSERT INTO ${table} (${names}) VALUES (${parameters})`);
    this.view = this.compile(`SELECT ${LEAD_VIEW} FROM "leads" WHERE "tenant" = :tenant AND "id" = :id`);
    const outcomes = (after: string) =>
      `SELECT ${OUTCOME_VIEW} FROM "lead_outcomes" WHERE "tenant" = :tenant AND "lead_id" = :leadId${after} ` +
      'ORDER BY "recorded_at" DESC, "id" DESC LIMIT :take';
    this.outcomes = this.compile(outcomes(''));
    this.outcomesAfter = this.compile(
      outcomes(' AND ("recorded_at" < :afterAt OR ("recorded_at" = :afterAt AND "id" < :afterId))'),
    );
  }

  /** The list page with these filters, newest first by (createdAt, id), after a cursor or not. */
  page(filters: LeadFilters, after: boolean): NativeStatement<string> {
    const variant = `${filters.intent ? 'i' : ''}${filters.urgency ? 'u' : ''}${filters.outcome ? 'o' : ''}${after ? 'a' : ''}`;
    let statement = this.pages.get(variant);
    if (!statement) {
      const conditions = ['"tenant" = :tenant'];
      if (filters.intent) conditions.push('"intent" = :intent');
      if (filters.urgency) conditions.push('"urgency" = :urgency');
      if (filters.outcome) conditions.push('"outcome" = :outcome');
      if (after) conditions.push('("created_at" < :afterAt OR ("created_at" = :afterAt AND "id" < :afterId))');
      statement = this.compile(
        `SELECT ${LEAD_VIEW} FROM "leads" WHERE ${conditions.join(' AND ')} ` +
          'ORDER BY "created_at" DESC, "id" DESC LIMIT :take',
      );
      this.pages.set(variant, statement);
    }
    return statement;
  }

  /**
   * The search with `terms` terms (:term0..., with their LIKE patterns :pattern0...): the newest
   * :candidates leads containing any term, ranked by occurrences, then newest first; :take rows.
   */
  search(terms: number): NativeStatement<string> {
    let statement = this.searches.get(terms);
    if (!statement) {
      const indexes = Array.from({ length: terms }, (_, i) => i);
      const matches = indexes.map((i) => `"search_text" LIKE :pattern${i} ESCAPE '\\'`).join(' OR ');
      statement = this.compile(
        'SELECT "id", "name", "score", COALESCE("details", "company", "name") AS "text", ' +
          `${indexes.map(occurrences).join(' + ')} AS "hits" ` +
          'FROM (SELECT "id", "name", "score", "details", "company", "search_text", "created_at" FROM "leads" ' +
          `WHERE "tenant" = :tenant AND (${matches}) ` +
          'ORDER BY "created_at" DESC, "id" DESC LIMIT :candidates) AS "candidates" ' +
          'ORDER BY "hits" DESC, "created_at" DESC, "id" DESC LIMIT :take',
      );
      this.searches.set(terms, statement);
    }
    return statement;
  }

  private compile<Name extends string>(sql: string): NativeStatement<Name> {
    return new NativeStatement<Name>(this.dialect, sql);
  }
}
