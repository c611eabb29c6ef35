import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from '@app/config';
import { buildDataSourceOptions } from './database.options';

/** The DataSource the TypeORM CLI uses (`npm run migration:run`): same options as the app. */
export default new DataSource(buildDataSourceOptions({ ...loadConfigFromProcess().database, migrationsRun: false }));
