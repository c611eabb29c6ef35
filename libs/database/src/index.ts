export * from './database.module';
export * from './app-data-source';
export * from './database.options';
export * from './database-health.service';
export * from './migrations';
export * from './unique-violation';
export * from './transaction-runner';
export * from './migration-lock';
