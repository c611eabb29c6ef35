export * from './api-keys-file';
