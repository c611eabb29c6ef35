import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, EnvironmentReader, loadConfig } from '@app/config';
import { LOG_DESTINATION } from '@app/http';
import { ApiDocsService } from '../apps/customer-ops/src/api-docs/api-docs.service';
import { AppModule } from '../apps/customer-ops/src/app.module';
import { APP_CREATE_OPTIONS, configureApp, createHttpAdapter } from '../apps/customer-ops/src/setup';

/*
 * npm run openapi:write [-- --check]
 *
 * Writes docs/openapi.json: the OpenAPI document exactly as GET /docs-json serves it, built by
 * the same code (configureApp) from the real AppModule booted on an in-memory SQLite database,
 * without listening on a port. Keys are sorted so the file only changes when the API does.
 * With --check nothing is written, and the exit status is 1 when the committed file is not
 * what would be written. `npm run lint` runs `redocly lint` on the file.
 */

const ROOT = join(__dirname, '..');
export const OPENAPI_PATH = 'docs/openapi.json';

/** A fixed environment: the document depends on the code alone, never on a local `.env`. */
const DOCUMENT_ENV: Record<string, string> = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  DATABASE_URL: 'sqlite::memory:',
  SWAGGER_ENABLED: 'true',
  RATE_LIMIT_ENABLED: 'false',
};

/** The document the API serves at /docs-json. */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const config = loadConfig(DOCUMENT_ENV);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(EnvironmentReader)
    .useValue({ read: () => DOCUMENT_ENV })
    .overrideProvider(LOG_DESTINATION)
    .useValue({ write: () => true })
    .compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), APP_CREATE_OPTIONS);
  try {
    configureApp(app);
    await app.init();
    const document = app.get(ApiDocsService).openApi();
    if (!document) throw new Error('the OpenAPI document is not published (SWAGGER_ENABLED)');
    // As served: through JSON, so undefined members are gone.
    return JSON.parse(JSON.stringify(document)) as OpenAPIObject;
  } finally {
    await app.close();
  }
}

/** Objects with their keys sorted, recursively; arrays keep their order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The text of docs/openapi.json for a document: sorted keys, 2-space JSON, trailing newline. */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const text = renderOpenApi(await buildOpenApiDocument());
  const path = join(ROOT, OPENAPI_PATH);
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write(`${OPENAPI_PATH} is stale: run npm run openapi:write\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(path, text);
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
