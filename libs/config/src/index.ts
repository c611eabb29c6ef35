export * from './app-config';
export * from './config.module';
export * from './environment';
export * from './parse';
export * from './process-env';
export * from './rate-limit';
export * from './secret-files';
export * from './clock';
