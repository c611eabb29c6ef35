export * from './api-keys-file';
export * from './shared-secret';
