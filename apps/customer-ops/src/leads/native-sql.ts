import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/*
 * Statements the lead routes send as they are, written once per database: no query builder and
 * no entity hydration on the request path. TypeORM still owns the connection, the pool and the
 * transactions; values are stored and read exactly as its entities store and read them.
 */

/** Where the SQL the product sends differs between its two databases. */
export type SqlDialect = 'postgres' | 'sqlite';

/** A row as the driver returns it: timestamps are Dates on Postgres, text on SQLite. */
export type Stored<T> = { [K in keyof T]: T[K] extends Date ? Date | string : T[K] };

export function sqlDialect(dataSource: DataSource): SqlDialect {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * An instant as the database column holds it, as TypeORM writes it: a Date for pg
 * (timestamptz), `YYYY-MM-DD HH:MM:SS.SSS` in UTC for SQLite (datetime).
 */
export function toDatabaseDate(dialect: SqlDialect, date: Date): Date | string {
  return dialect === 'postgres' ? date : date.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * An instant read from a timestamp column: pg returns a Date; SQLite the stored text, which is
 * UTC (with TypeORM's rule: a space before the time becomes a T, no zone means Z).
 */
export function fromDatabaseDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  let text = /^\d{4}-\d\d-\d\d \d\d:\d\d/.test(value) ? value.replace(' ', 'T') : value;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d\d\d)?)?$/.test(text)) text += 'Z';
  return new Date(text);
}

/**
 * A statement written with `:name` parameters (no `::` casts, no colon in literals), compiled
 * once into the database's placeholders: `$n` on Postgres, where a repeated name reuses its
 * number, and `?` per occurrence on SQLite. A request only lays out its values, Dates as the
 * columns store them; the text never changes, so SQLite's statement cache always hits.
 */
export class NativeStatement<Name extends string> {
  readonly text: string;
  private readonly order: Name[] = [];

  constructor(
    private readonly dialect: SqlDialect,
    sql: string,
  ) {
    const numbers = new Map<string, number>();
    this.text = sql.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, (_match, name: Name) => {
      if (dialect === 'sqlite') {
        this.order.push(name);
        return '?';
      }
      let number = numbers.get(name);
      if (number === undefined) {
        this.order.push(name);
        number = this.order.length;
        numbers.set(name, number);
      }
      return `$${number}`;
    });
  }

  values(params: Readonly<Record<Name, unknown>>): unknown[] {
    return this.order.map((name) => {
      const value = params[name];
      if (value === undefined) throw new Error(`statement parameter :${name} has no value`);
      return value instanceof Date ? toDatabaseDate(this.dialect, value) : value;
    });
  }
}

/**
 * Every column of an entity as an INSERT lists them, from its TypeORM metadata, with `:prefixN`
 * parameters, so a statement that inserts the entity stays in step with its columns.
 */
export class EntityColumns<E extends ObjectLiteral> {
  /** The quoted table name. */
  readonly table: string;
  /** The quoted column names, comma-separated. */
  readonly names: string;
  /** `:prefix0, :prefix1, ...`, one per column. */
  readonly parameters: string;
  private readonly columns: ColumnMetadata[];
  private readonly keys: string[];

  constructor(
    private readonly dataSource: DataSource,
    target: EntityTarget<E>,
    prefix: string,
  ) {
    const metadata = dataSource.getMetadata(target);
    this.columns = metadata.columns.filter((column) => column.isInsert && !column.isVirtual);
    this.keys = this.columns.map((_, i) => `${prefix}${i}`);
    const quote = (name: string) => dataSource.driver.escape(name);
    this.table = quote(metadata.tableName);
    this.names = this.columns.map((column) => quote(column.databaseName)).join(', ');
    this.parameters = this.keys.map((key) => `:${key}`).join(', ');
  }

  /** The column names but `keys`, each as `name = EXCLUDED.name` (an upsert's takeover). */
  excludedExcept(keys: string[]): string {
    const quote = (name: string) => this.dataSource.driver.escape(name);
    return this.columns
      .filter((column) => !keys.includes(column.databaseName))
      .map((column) => `${quote(column.databaseName)} = EXCLUDED.${quote(column.databaseName)}`)
      .join(', ');
  }

  /** The entity's values as parameters, converted as TypeORM converts them for the column. */
  values(entity: E): Record<string, unknown> {
    const driver = this.dataSource.driver;
    const params: Record<string, unknown> = {};
    this.columns.forEach((column, i) => {
      params[this.keys[i]] = driver.preparePersistentValue(column.getEntityValue(entity), column) ?? null;
    });
    return params;
  }
}
