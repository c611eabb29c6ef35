import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const admin = { 'x-admin-key': ADMIN_KEY };

describe('the OpenAPI documents go through the same pipeline as every route', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ALLOWED_HOSTS: 'api.example.com' } });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const get = (path: string, host = 'api.example.com') => t.http().get(path).set('Host', host);

  it.each(['/docs', '/docs-json', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js'])(
    '%s carries a request id and the security headers, and writes an access line',
    async (path) => {
      const res = await get(path).set('x-request-id', `docs-${path.length}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe(`docs-${path.length}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      const line = t.logs.accessLines().find((l) => l.requestId === `docs-${path.length}`);
      expect(line).toMatchObject({ method: 'GET', status: 200 });
    },
  );

  it('serves the UI page, its files with their types, and the document', async () => {
    const page = await get('/docs');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect((await get('/docs/swagger-ui.css')).headers['content-type']).toMatch(/^text\/css/);
    expect((await get('/docs/favicon-32x32.png')).headers['content-type']).toBe('image/png');
    const document = await get('/docs-json');
    expect(document.body.openapi).toMatch(/^3\./);
  });

  it.each(['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html', '/docs/absolute-path.js'])(
    '%s is not served',
    async (path) => {
      expect((await get(path)).status).toBe(404);
    },
  );

  it('the host allow-list applies to the documents', async () => {
    for (const path of ['/docs', '/docs-json', '/docs/swagger-ui.css']) {
      const res = await get(path, 'evil.example.net');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Host header is not allowed');
    }
  });
});

describe('SWAGGER_ENABLED in production', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    ['defaults to off', {}, 404],
    ['can be turned on', { SWAGGER_ENABLED: 'true' }, 200],
  ])('%s', async (_, env, status) => {
    const t = await startTestApp(db.url, { env: { NODE_ENV: 'production', ...env } });
    try {
      expect((await t.http().get('/docs')).status).toBe(status);
      expect((await t.http().get('/docs-json')).status).toBe(status);
      expect((await t.http().get('/docs/swagger-ui.css')).status).toBe(status);
    } finally {
      await t.close();
    }
  });
});

describe('API responses are never cached and vary by caller', () => {
  let db: TestDatabase;
  let t: TestApp;
  const tenant = uniqueTenant('NOSTORE');
  const key = randomKey('nostore');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${tenant}`]: key },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const expectNoStore = (res: { headers: Record<string, string> }) => {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['vary']?.toLowerCase()).toContain('x-api-key');
  };

  it('on responses that carry a key', async () => {
    const created = await t
      .http()
      .post('/ops/tenants')
      .set(admin)
      .send({ tenant: uniqueTenant('K'), mintKey: true });
    expect(created.status).toBe(201);
    expectNoStore(created);
    const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
    expect(minted.status).toBe(201);
    expectNoStore(minted);
  });

  it.each([
    ['GET /v1/leads', () => t.http().get('/v1/leads').set('x-api-key', key), 200],
    ['GET /ops/model-status', () => t.http().get('/ops/model-status').set('x-api-key', key), 200],
    ['GET /ops/tenants', () => t.http().get('/ops/tenants').set(admin), 200],
    ['a 401 on /v1', () => t.http().get('/v1/leads'), 401],
    ['a 400 on /v1', () => t.http().post('/v1/leads').set('x-api-key', key).send({}), 400],
    ['a 404 under /v1', () => t.http().get('/v1/nothing-here').set('x-api-key', key), 404],
    ['a 401 on /ops', () => t.http().get('/ops/audit'), 401],
  ])('on %s', async (_, call, status) => {
    const res = await call();
    expect(res.status).toBe(status);
    expectNoStore(res);
  });

  it('not on the probes', async () => {
    expect((await t.http().get('/health')).headers['cache-control']).toBeUndefined();
  });
});

describe('a fresh clone has config/ with the example files, the real ones ignored', () => {
  const ignored = (path: string) =>
    spawnSync('git', ['check-ignore', '-q', path], { cwd: join(__dirname, '..') }).status === 0;

  it.each(['config/api-keys.example.env', 'config/plans.example.json'])('%s is tracked', (path) => {
    expect(existsSync(join(__dirname, '..', path))).toBe(true);
    expect(ignored(path)).toBe(false);
  });

  it.each(['config/api-keys.env', 'config/plans.json'])('%s stays out of git', (path) => {
    expect(ignored(path)).toBe(true);
  });
});
