import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AppConfig, processConfig } from '@app/config';
import { AppLogger, PINO_LOGGER } from '@app/http';
import { AppModule } from './app.module';
import { installGracefulShutdown } from './graceful-shutdown';
import {
  createStartupLogger,
  exposureWarning,
  reportStartupFailure,
  StartupLogger,
  StartupTimeout,
} from './ops/startup';
import { APP_CREATE_OPTIONS, configureApp, createHttpAdapter } from './setup';

let config: AppConfig | null = null;
let appLogger: Logger | null = null;
let failed = false;

/** One JSON line with the reason, after the lines already logged, then exit 1: whether start-up threw or hung. */
function fail(error: unknown): void {
  if (failed) return;
  failed = true;
  reportStartupFailure(error, config, appLogger);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  // Fail fast, before any module starts, with every bad variable listed.
  config = processConfig();
  const startup = config;

  // Whatever hangs (a database or Redis that accepts connections and never answers, a
  // migration waiting on a lock), start-up ends within STARTUP_TIMEOUT_MS.
  let phase = 'creating the application: database connection and migrations, Redis';
  const deadline = setTimeout(
    () => fail(new StartupTimeout(startup.startupTimeoutMs, phase)),
    startup.startupTimeoutMs,
  );

  // Framework lines are JSON from the first one, and written as they happen (database retries
  // included) instead of buffered until the application logger takes over.
  const app = await NestFactory.create(AppModule, createHttpAdapter(startup), {
    ...APP_CREATE_OPTIONS,
    bufferLogs: false,
    logger: new StartupLogger(createStartupLogger(startup.logLevel)),
  });
  phase = 'starting the application: lifecycle hooks and the HTTP listener';
  configureApp(app);
  const logger = app.get<Logger>(PINO_LOGGER);
  appLogger = logger;
  // Until the listener is up, a framework error is the start-up failure, which fail() reports.
  app.useLogger(new StartupLogger(logger));
  installGracefulShutdown(app, startup.shutdownGraceMs, logger);
  if (startup.isProduction && startup.database.kind === 'sqlite') {
    logger.warn('NODE_ENV=production on SQLite: set DATABASE_URL=postgres://… to run more than one instance');
  }

  await app.listen(startup.port, startup.host);
  clearTimeout(deadline);
  app.useLogger(app.get(AppLogger));
  const exposure = exposureWarning(startup);
  if (exposure) logger.warn({ host: startup.host }, exposure);
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.info(
    {
      version: startup.version,
      port,
      host: startup.host,
      database: startup.database.kind,
      adapter: startup.httpAdapter,
      env: startup.nodeEnv,
    },
    'customer-ops started',
  );
}

bootstrap().catch(fail);
