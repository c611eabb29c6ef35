import { AppDataSource } from './app-data-source';
import { loadConfigFromProcess } from '@app/config';
import { buildDataSourceOptions } from './database.options';

/**
 * The migrations' DataSource plus every entity of the API, found by path: what TypeORM's
 * `migration:generate --check` compares the migrated schema with (`npm run migration:check`).
 * Entities are named by glob because libraries do not import the app's feature folders.
 */
export default new AppDataSource({
  ...buildDataSourceOptions({ ...loadConfigFromProcess().database, migrationsRun: false }),
  entities: [`${__dirname}/../../../apps/customer-ops/src/*/entities/*.entity.{ts,js}`],
});
