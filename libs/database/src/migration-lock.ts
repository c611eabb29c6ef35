import type { DataSource, Migration } from 'typeorm';

/** The Postgres advisory lock every migration run takes (an arbitrary constant of this service). */
export const MIGRATION_LOCK_KEY = 7_243_019_001;

/**
 * Runs pending migrations so that several instances starting together on one database never
 * race: on Postgres the run holds a session-level advisory lock on a connection of its own,
 * so a second instance waits for the first to finish and then finds nothing to do. SQLite
 * allows one writer per file and one instance per file, so there it simply runs.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  if (dataSource.options.type !== 'postgres') return dataSource.runMigrations();
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await dataSource.runMigrations();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}
