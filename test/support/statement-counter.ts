import { DataSource } from 'typeorm';

/** One statement the database was sent, with the names of the columns its result carried. */
export interface SentStatement {
  sql: string;
  /** Result column names; empty for a statement that returns no rows (INSERT, BEGIN, ...). */
  columns: string[];
}

export interface StatementCounter {
  /** What was sent since the counter started or was last reset, in order. */
  readonly statements: SentStatement[];
  reset(): void;
  stop(): void;
}

interface PgResult {
  fields?: Array<{ name: string }>;
}
interface PgClient {
  database?: string;
  query(...args: unknown[]): unknown;
}
interface SqliteStatement {
  database: unknown;
  source: string;
  reader: boolean;
  columns(): Array<{ name: string }>;
}

/**
 * Records every statement the DataSource's connections send, at the driver: on Postgres each
 * call of a pooled pg client's query() (one round trip, BEGIN and COMMIT included), on SQLite
 * each execution of a prepared better-sqlite3 statement. Only the DataSource's own connections
 * are counted: on Postgres, clients of its database; on SQLite, statements of its connection.
 */
export function countStatements(dataSource: DataSource): StatementCounter {
  const statements: SentStatement[] = [];
  const restore: Array<() => void> = [];
  const patch = <T extends object>(prototype: T, method: keyof T, wrap: (original: never) => unknown) => {
    const original = prototype[method];
    (prototype as Record<keyof T, unknown>)[method] = wrap(original as never);
    restore.push(() => ((prototype as Record<keyof T, unknown>)[method] = original));
  };

  if (dataSource.options.type === 'postgres') {
    const driver = dataSource.driver as unknown as {
      database: string;
      postgres: { Client: { prototype: PgClient } };
    };
    const database = driver.database;
    patch(
      driver.postgres.Client.prototype,
      'query',
      (original: PgClient['query']) =>
        function (this: PgClient, ...args: unknown[]) {
          const result = original.apply(this, args);
          const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | null)?.text;
          if (this.database !== database || typeof text !== 'string') return result;
          const sent: SentStatement = { sql: text, columns: [] };
          statements.push(sent);
          if (result instanceof Promise) {
            void result.then(
              (res: PgResult) => (sent.columns = (res.fields ?? []).map((f) => f.name)),
              () => undefined,
            );
          }
          return result;
        },
    );
  } else {
    const connection = (dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): object } })
      .databaseConnection;
    const prototype = Object.getPrototypeOf(connection.prepare('SELECT 1')) as Record<string, unknown>;
    for (const method of ['run', 'all', 'get', 'iterate'] as const) {
      patch(
        prototype,
        method,
        (original: (...args: unknown[]) => unknown) =>
          function (this: SqliteStatement, ...args: unknown[]) {
            if (this.database === connection) {
              statements.push({ sql: this.source, columns: this.reader ? this.columns().map((c) => c.name) : [] });
            }
            return original.apply(this, args);
          },
      );
    }
  }

  return {
    statements,
    reset: () => void statements.splice(0),
    stop: () => restore.splice(0).forEach((undo) => undo()),
  };
}
