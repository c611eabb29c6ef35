import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  answerClientErrorsWithEnvelope,
  AppLogger,
  configureFastify,
  errorEnvelope,
  isValidRequestId,
  REQUEST_ID_HEADER,
} from '@app/http';
import { ADMIN_KEY_SCHEME, TENANT_KEY_SCHEME } from './auth/auth.decorators';

/** Options every app instance is created with (main.ts and the e2e suites alike). */
export const APP_CREATE_OPTIONS = { bodyParser: false, bufferLogs: true, abortOnError: false } as const;

/** The HTTP platform named by HTTP_ADAPTER. */
export function createHttpAdapter(config: AppConfig): AbstractHttpAdapter {
  if (config.httpAdapter === 'fastify') {
    return new FastifyAdapter({
      bodyLimit: config.bodyLimitBytes,
      trustProxy: config.trustProxy,
      // Long path segments reach validation (400) instead of Fastify's 404, as with express.
      routerOptions: { maxParamLength: 500 },
      // Requests Fastify refuses before routing (an undecodable path) get the standard envelope.
      frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
        const incoming = request.headers[REQUEST_ID_HEADER];
        const requestId = isValidRequestId(incoming) ? incoming : randomUUID();
        void reply
          .code(400)
          .header(REQUEST_ID_HEADER, requestId)
          .send(errorEnvelope(400, error.message || 'Bad request', requestId));
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
    configureFastify(instance, config.bodyLimitBytes);
  } else {
    const express = app as NestExpressApplication;
    express.set('trust proxy', config.trustProxy);
    express.disable('x-powered-by');
  }
  answerClientErrorsWithEnvelope(app.getHttpServer() as Server);
  app.useLogger(app.get(AppLogger));

  if (config.swaggerEnabled) {
    const document = new DocumentBuilder()
      .setTitle('AetherLink CustomerOps API')
      .setDescription('Multi-tenant lead capture, enrichment and outcome tracking.')
      .setVersion(config.version)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Tenant API key' }, TENANT_KEY_SCHEME)
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'x-admin-key', description: 'Operator admin key' },
        ADMIN_KEY_SCHEME,
      )
      .build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, document), {
      jsonDocumentUrl: 'docs-json',
      raw: ['json'],
    });
  }
}
