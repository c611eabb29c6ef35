import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { AppDataSource } from './app-data-source';
import type { Logger as PinoLogger } from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { buildDataSourceOptions } from './database.options';
import { DatabaseHealth } from './database-health.service';
import { runMigrationsLocked } from './migration-lock';
import { TransactionRunner } from './transaction-runner';

/** Error codes of a database that is not reachable (yet): network errors, Postgres starting up or full. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P03',
  '53300',
]);

/**
 * Whether a start-up error is worth retrying: the database could not be reached. A failing
 * migration or a refused login is not, so it is reported at once instead of after retries
 * logged as "Unable to connect to the database".
 */
export function isUnreachableDatabase(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isUnreachableDatabase);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /connection terminated|timeout expired|connection timeout/i.test((error as Error | null)?.message ?? '');
}

/**
 * TypeORM's own messages as JSON lines. Queries and their errors are never logged here (their
 * parameters hold personal data; a failing query reaches its caller and the error filter), and
 * a failed migration is reported once, by the start-up failure line, so TypeORM's copy of it
 * (which its console logger prints whatever `logging` says) is debug.
 */
function typeOrmLogger(logger: PinoLogger): TypeOrmLogger {
  return {
    logQuery: () => undefined,
    logQueryError: () => undefined,
    logQuerySlow: (time: number) => logger.warn({ durationMs: time }, 'database: slow query'),
    logSchemaBuild: () => undefined,
    logMigration: (message: string) => logger.debug({ context: 'TypeORM' }, message),
    log: (level: 'log' | 'info' | 'warn', message: unknown) =>
      logger[level === 'warn' ? 'warn' : 'debug']({ context: 'TypeORM' }, String(message)),
  };
}

/**
 * The application's one DataSource, built from AppConfig.database. Unreachable at start-up, it
 * is tried 3 times, a second apart; each retry is one framework log line (main.ts logs it as a
 * warning without the driver's stack) and the reason is logged once, if start-up fails.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig, PINO_LOGGER],
      useFactory: (config: AppConfig, logger: PinoLogger) => ({
        ...buildDataSourceOptions(config.database),
        logger: typeOrmLogger(logger),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
        toRetry: isUnreachableDatabase,
      }),
      // MIGRATIONS_RUN: migrations run here, under the migration lock, rather than by TypeORM's
      // own unlocked run during initialize().
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const { migrationsRun, ...rest } = options as DataSourceOptions;
        const dataSource = await new AppDataSource({ ...rest, migrationsRun: false } as DataSourceOptions).initialize();
        try {
          if (migrationsRun) await runMigrationsLocked(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [DatabaseHealth, TransactionRunner],
  exports: [DatabaseHealth, TransactionRunner],
})
export class DatabaseModule {}
