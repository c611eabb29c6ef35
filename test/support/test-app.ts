import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { App } from 'supertest/types';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, Clock, EnvironmentReader, loadConfig } from '@app/config';
import { LOG_DESTINATION } from '@app/http';
import { AppModule } from '../../apps/customer-ops/src/app.module';
import { APP_CREATE_OPTIONS, configureApp, createHttpAdapter } from '../../apps/customer-ops/src/setup';
import { LogCapture } from './log-capture';
import { OpenApiMatcher, openApiMatcher } from './openapi-matcher';
import { e2eAdapter } from './test-database';

export interface TestAppOptions {
  /** Environment variables for this app, on top of the test defaults. */
  env?: Record<string, string>;
  /** Extra controllers mounted next to the real ones (test fixtures). */
  controllers?: Type<unknown>[];
  /** Also listen on a free loopback port (for clients in other processes). */
  listen?: boolean;
  /** The app's clock; a TestClock lets the test move time instead of waiting. */
  clock?: Clock;
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** The environment the app reads; edit it, then reload auth, to simulate env changes. */
  env: Record<string, string>;
  clock: Clock;
  /** http://127.0.0.1:<port> when started with listen: true. */
  url: string;
  logs: LogCapture;
  /** supertest over the app; every response is checked against the OpenAPI document. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * supertest over `server` whose every response, however the test awaits it (`await`,
 * `.expect(...)`, `.end(cb)`), is checked against docs/openapi.json first (see openapi-matcher.ts):
 * a response the document does not describe fails the request like a failed `.expect`.
 */
export function contractCheckedHttp(
  server: App,
  matcher: OpenApiMatcher = openApiMatcher(),
): ReturnType<typeof request> {
  const agent = request(server);
  const methods = agent as unknown as Record<string, (url: string) => request.Test>;
  for (const [method, make] of Object.entries(methods)) {
    if (typeof make !== 'function') continue;
    const verb = method === 'del' ? 'delete' : method;
    methods[method] = (url: string) =>
      make(url).expect((res: request.Response) => matcher.assertMatches(verb, url, res));
  }
  return agent;
}

/**
 * Boots the real AppModule exactly as main.ts does (same create options, same configureApp),
 * with configuration built from an explicit environment and logs captured in memory.
 */
export async function startTestApp(databaseUrl: string, options: TestAppOptions = {}): Promise<TestApp> {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    // A keys file of its own, absent until a test writes it.
    API_KEYS_FILE: join(tmpdir(), `co-keys-${randomBytes(6).toString('hex')}.env`),
    // Likewise a plans file of its own: only the built-in default plan until a test writes it.
    PLANS_FILE: join(tmpdir(), `co-plans-${randomBytes(6).toString('hex')}.json`),
    // Apps of one suite share Redis keys only when the suite passes one prefix to all of them.
    REDIS_KEY_PREFIX: `co-test-${randomBytes(6).toString('hex')}`,
    // Suites about other features call routes freely; the rate-limit suites turn it on.
    RATE_LIMIT_ENABLED: 'false',
    // Suites send wrong keys on purpose (fuzzing, guard checks); the throttling suite sets its own.
    AUTH_FAILURE_LIMIT: '1000000/minute',
    ADMIN_AUTH_FAILURE_LIMIT: '1000000/minute',
    // The e2e projects run every suite on both HTTP platforms.
    HTTP_ADAPTER: e2eAdapter(),
    ...options.env,
  };
  const config = loadConfig(env);
  const logs = new LogCapture();
  const clock = options.clock ?? new Clock();
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule],
    controllers: options.controllers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(EnvironmentReader)
    .useValue({ read: () => env })
    .overrideProvider(LOG_DESTINATION)
    .useValue(logs)
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), APP_CREATE_OPTIONS);
  configureApp(app);
  await app.init();
  if (config.httpAdapter === 'fastify')
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  let url = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }
  const server = app.getHttpServer() as App;
  return {
    app,
    config,
    env,
    clock,
    url,
    logs,
    http: () => contractCheckedHttp(server),
    close: () => app.close(),
  };
}
