import { AppDataSource } from './app-data-source';
import { loadConfigFromProcess } from '@app/config';
import { buildDataSourceOptions } from './database.options';

/** The DataSource the TypeORM CLI uses (`npm run migration:run`): same options as the app. */
export default new AppDataSource(buildDataSourceOptions({ ...loadConfigFromProcess().database, migrationsRun: false }));
