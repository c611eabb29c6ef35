import { AppDataSource } from './app-data-source';
import { loadConfigFromProcess } from '@app/config';
import { buildDataSourceOptions } from './database.options';
import { runMigrationsLocked } from './migration-lock';

/**
 * `npm run migration:run`, and the image's migration command for a Kubernetes Job or init
 * container (`node dist/apps/customer-ops/libs/database/src/migrate.js`): applies pending
 * migrations on DATABASE_URL under the same lock as the API's start-up.
 */
async function main(): Promise<void> {
  const config = loadConfigFromProcess();
  const dataSource = await new AppDataSource(
    buildDataSourceOptions({ ...config.database, migrationsRun: false }),
  ).initialize();
  try {
    const applied = await runMigrationsLocked(dataSource);
    process.stdout.write(
      applied.length === 0
        ? 'No pending migrations.\n'
        : `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m.name}`).join('\n')}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration:run failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
