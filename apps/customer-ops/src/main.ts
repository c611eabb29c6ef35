import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigValidationError, loadConfigFromProcess } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { AppModule } from './app.module';
import { installGracefulShutdown } from './graceful-shutdown';
import { APP_CREATE_OPTIONS, configureApp, createHttpAdapter } from './setup';

async function bootstrap(): Promise<void> {
  // Fail fast, before any module starts, with every bad variable listed.
  const config = loadConfigFromProcess();

  const app = await NestFactory.create(AppModule, createHttpAdapter(config), APP_CREATE_OPTIONS);
  configureApp(app);
  const logger = app.get<Logger>(PINO_LOGGER);
  installGracefulShutdown(app, config.shutdownGraceMs, logger);
  if (config.isProduction && config.database.kind === 'sqlite') {
    logger.warn('NODE_ENV=production on SQLite: set DATABASE_URL=postgres://… to run more than one instance');
  }

  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.info(
    {
      version: config.version,
      port,
      host: config.host,
      database: config.database.kind,
      adapter: config.httpAdapter,
      env: config.nodeEnv,
    },
    'customer-ops started',
  );
}

bootstrap().catch((error: unknown) => {
  const reason = error instanceof ConfigValidationError ? error.message : error instanceof Error ? error.stack : error;
  process.stderr.write(`customer-ops cannot start. ${String(reason)}\n`);
  process.exit(1);
});
