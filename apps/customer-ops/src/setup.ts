import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@app/config';
import { AppLogger } from '@app/http';
import { ADMIN_KEY_SCHEME, TENANT_KEY_SCHEME } from './auth/auth.decorators';

/** Options every app instance is created with (main.ts and the e2e suites alike). */
export const APP_CREATE_OPTIONS = { bodyParser: false, bufferLogs: true, abortOnError: false } as const;

/**
 * Application-level setup that cannot live in a module: proxy trust, the framework
 * logger and the OpenAPI documents. Called by main.ts and by the e2e suites.
 */
export function configureApp(app: INestApplication): void {
  const config = app.get(AppConfig);
  const express = app as NestExpressApplication;
  express.set('trust proxy', config.trustProxy);
  express.disable('x-powered-by');
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
