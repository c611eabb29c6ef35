import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Swagger UI files served under /docs/, and their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const INIT_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AetherLink CustomerOps API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;

export interface DocsFile {
  contentType: string;
  body: string | Buffer;
}

/**
 * The OpenAPI document and the Swagger UI, served by a controller like every other route (so
 * the whole pipeline applies: request id, security headers, host allow-list, access log). The
 * document is built once, on first request, from the factory set at start-up.
 */
@Injectable()
export class ApiDocsService {
  private factory: (() => OpenAPIObject) | null = null;
  private document: OpenAPIObject | null = null;
  private readonly files = new Map<string, DocsFile>([
    ['index', { contentType: 'text/html; charset=utf-8', body: INDEX_HTML }],
    ['swagger-ui-init.js', { contentType: 'text/javascript; charset=utf-8', body: INIT_JS }],
  ]);

  /** Turns the documents on (SWAGGER_ENABLED): without it every docs route answers 404. */
  publish(factory: () => OpenAPIObject): void {
    this.factory = factory;
  }

  get enabled(): boolean {
    return this.factory !== null;
  }

  openApi(): OpenAPIObject | null {
    if (!this.factory) return null;
    this.document ??= this.factory();
    return this.document;
  }

  /** `index` (the UI page) or one of the UI's files; null for anything else. */
  file(name: string): DocsFile | null {
    if (!this.factory) return null;
    const cached = this.files.get(name);
    if (cached) return cached;
    const contentType = ASSETS[name];
    if (!contentType) return null;
    const root = dirname(require.resolve('swagger-ui-dist/package.json'));
    const file = { contentType, body: readFileSync(join(root, name)) };
    this.files.set(name, file);
    return file;
  }
}
