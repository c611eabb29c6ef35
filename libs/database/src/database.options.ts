import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '@app/config';
import { MIGRATIONS } from './migrations';

const POSTGRES_POOL_SIZE = 10;
const POSTGRES_CONNECT_TIMEOUT_MS = 3000;
/** A query on a connection whose peer went silent ends with an error (a 503) instead of hanging. */
const POSTGRES_QUERY_TIMEOUT_MS = 10000;

/**
 * The DataSource options for both the API and the migration CLI. Entities are added by
 * the app through TypeOrmModule.forFeature (autoLoadEntities); migrations are listed here
 * explicitly so that they load the same way from TypeScript sources and compiled output.
 */
export function buildDataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    synchronize: false,
    migrationsRun: db.migrationsRun,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    logging: false,
  } as const;

  if (db.kind === 'sqlite') {
    const path = db.sqlitePath ?? ':memory:';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      enableWAL: path !== ':memory:',
      timeout: 5000,
    };
  }

  return {
    ...common,
    type: 'postgres',
    url: db.url,
    connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
    extra: {
      max: POSTGRES_POOL_SIZE,
      application_name: 'customer-ops',
      query_timeout: POSTGRES_QUERY_TIMEOUT_MS,
    },
  };
}
