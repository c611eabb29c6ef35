export * from './database.module';
export * from './database.options';
export * from './database-health.service';
export * from './migrations';
export * from './unique-violation';
export * from './transaction-runner';
export * from './migration-lock';
