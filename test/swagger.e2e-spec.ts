import { readFileSync } from 'node:fs';
import { OPENAPI_DOCUMENT_PATH } from './support/openapi-matcher';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('OpenAPI documents', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('enabled (default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(db.url);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves Swagger UI at /docs', async () => {
      const res = await t.http().get('/docs').redirects(1);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('swagger-ui');
    });

    it('serves the OpenAPI JSON at /docs-json with the probes documented', async () => {
      const res = await t.http().get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(res.body.info).toMatchObject({ title: 'AetherLink CustomerOps API', version: t.config.version });
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/health', '/readyz']));
    });

    it('serves the document docs/openapi.json holds, on this platform too (the e2e suites check responses against it)', async () => {
      const res = await t.http().get('/docs-json').expect(200);
      expect(res.body).toEqual(JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')));
    });
  });

  describe('SWAGGER_ENABLED=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(db.url, { env: { SWAGGER_ENABLED: 'false' } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves neither /docs nor /docs-json', async () => {
      expect((await t.http().get('/docs')).status).toBe(404);
      expect((await t.http().get('/docs-json')).status).toBe(404);
    });
  });
});
