import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { AppConfig } from '@app/config';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AccessLog } from './logging/access-log';
import { AppLogger } from './logging/app-logger';
import { createLogger, LOG_DESTINATION, PINO_LOGGER } from './logging/logger';
import { RequestCompletion } from './observability/request-completion';
import { RequestCompletionMiddleware } from './observability/request-completion.middleware';
import { ApiCacheMiddleware } from './pipeline/api-cache.middleware';
import { HostAllowlistMiddleware } from './pipeline/host-allowlist.middleware';
import { HttpPipelineMiddleware } from './pipeline/http-pipeline.middleware';
import { JsonBodyMiddleware } from './pipeline/json-body.middleware';
import { RequestIdMiddleware } from './pipeline/request-id.middleware';
import { CorsMiddleware, HelmetMiddleware } from './pipeline/security.middleware';
import { RouteTableRecorder } from './route-table.recorder';
import { createValidationPipe } from './validation';

/**
 * The HTTP pipeline shared by every route, in this order: request id, completion observer
 * (feeds the access log and HTTP metrics), security headers, host allow-list, CORS and JSON
 * body parsing; then validation and the single exception filter.
 */
@Global()
@Module({
  providers: [
    { provide: LOG_DESTINATION, useValue: undefined },
    {
      provide: PINO_LOGGER,
      inject: [AppConfig, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream | undefined) =>
        createLogger(config.logLevel, destination),
    },
    AppLogger,
    RequestCompletion,
    AccessLog,
    RequestIdMiddleware,
    RequestCompletionMiddleware,
    HelmetMiddleware,
    ApiCacheMiddleware,
    HostAllowlistMiddleware,
    CorsMiddleware,
    JsonBodyMiddleware,
    RouteTableRecorder,
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
  exports: [PINO_LOGGER, AppLogger, RequestCompletion],
})
export class HttpCommonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpPipelineMiddleware).forRoutes('*');
  }
}
