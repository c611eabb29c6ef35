import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { App } from 'supertest/types';
import request from 'supertest';
import { AppConfig, loadConfig } from '@app/config';
import { LOG_DESTINATION } from '@app/http';
import { AppModule } from '../../apps/customer-ops/src/app.module';
import { APP_CREATE_OPTIONS, configureApp } from '../../apps/customer-ops/src/setup';
import { LogCapture } from './log-capture';

export interface TestAppOptions {
  /** Environment variables for this app, on top of the test defaults. */
  env?: Record<string, string>;
  /** Extra controllers mounted next to the real ones (test fixtures). */
  controllers?: Type<unknown>[];
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  logs: LogCapture;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule exactly as main.ts does (same create options, same configureApp),
 * with configuration built from an explicit environment and logs captured in memory.
 */
export async function startTestApp(databaseUrl: string, options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl, ...options.env });
  const logs = new LogCapture();
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule],
    controllers: options.controllers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(LOG_DESTINATION)
    .useValue(logs)
    .compile();
  const app = moduleRef.createNestApplication(APP_CREATE_OPTIONS);
  configureApp(app);
  await app.init();
  const server = app.getHttpServer() as App;
  return {
    app,
    config,
    logs,
    http: () => request(server),
    close: () => app.close(),
  };
}
