import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig, TrustProxySetting } from '@app/config';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  answerClientError,
  answerClientErrorsWithEnvelope,
  AppLogger,
  applyServerTimeouts,
  configureFastify,
  errorEnvelope,
  FRAMEWORK_ERROR_CODES,
  isValidRequestId,
  REQUEST_ID_HEADER,
  serverTimeouts,
} from '@app/http';
import { ApiDocsService } from './api-docs/api-docs.service';
import { createOpenApiDocument } from './api-docs/openapi-document';

/** Options every app instance is created with (main.ts and the e2e suites alike). */
export const APP_CREATE_OPTIONS = { bodyParser: false, bufferLogs: true, abortOnError: false } as const;

/** TRUST_PROXY for Fastify, whose adapter options take a hop count only as a function. */
function fastifyTrustProxy(
  setting: TrustProxySetting,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/** The HTTP platform named by HTTP_ADAPTER. */
export function createHttpAdapter(config: AppConfig): AbstractHttpAdapter {
  if (config.httpAdapter === 'fastify') {
    const { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval } = serverTimeouts(config);
    return new FastifyAdapter({
      bodyLimit: config.bodyLimitBytes,
      trustProxy: fastifyTrustProxy(config.trustProxy),
      // Slow clients and idle connections: the limits applyServerTimeouts also sets (Fastify's
      // own keep-alive default, 72 s, would otherwise apply).
      requestTimeout,
      keepAliveTimeout,
      http: { headersTimeout, requestTimeout, connectionsCheckingInterval },
      // Long path segments reach validation (400) instead of Fastify's 404, as with express.
      routerOptions: { maxParamLength: 500 },
      // While closing, a request on a kept-alive connection is served (with Connection: close),
      // as with express, instead of Fastify's own 503 body outside the error envelope.
      return503OnClosing: false,
      // Requests Node's HTTP parser refuses get the standard envelope (express: configureApp).
      clientErrorHandler: answerClientError,
      // Requests Fastify refuses before routing (an undecodable path) get the standard envelope.
      frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
        const incoming = request.headers[REQUEST_ID_HEADER];
        const requestId = isValidRequestId(incoming) ? incoming : randomUUID();
        void reply
          .code(400)
          .header(REQUEST_ID_HEADER, requestId)
          .send(errorEnvelope(400, FRAMEWORK_ERROR_CODES.badRequest, error.message || 'Bad request', requestId));
      },
    });
  }
  return new ExpressAdapter();
}

/**
 * Application-level setup that cannot live in a module: platform settings (proxy trust,
 * Fastify's parsers and error handler), the framework logger and the OpenAPI documents.
 * Called by main.ts and by the e2e suites, before init.
 */
export function configureApp(app: INestApplication): void {
  const config = app.get(AppConfig);
  if (config.httpAdapter === 'fastify') {
    const instance = app.getHttpAdapter().getInstance() as FastifyInstance;
    configureFastify(instance, { bodyLimitBytes: config.bodyLimitBytes, jsonMaxDepth: config.jsonMaxDepth });
  } else {
    const express = app as NestExpressApplication;
    express.set('trust proxy', config.trustProxy);
    express.disable('x-powered-by');
    answerClientErrorsWithEnvelope(app.getHttpServer() as Server);
  }
  applyServerTimeouts(app.getHttpServer() as Server, config);
  app.useLogger(app.get(AppLogger));

  if (config.swaggerEnabled) {
    // Served by ApiDocsController, so the documents go through the same pipeline as every route.
    app.get(ApiDocsService).publish(() => createOpenApiDocument(app, config.version));
  }
}
