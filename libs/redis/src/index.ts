export * from './key-slot';
export * from './redis.factory';
export * from './redis.module';
