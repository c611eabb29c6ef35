import { createTestDatabase, TestDatabase } from './support/test-database';
import { FixturesController } from './support/fixtures.controller';
import { startTestApp, TestApp } from './support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP pipeline: request id, security headers, CORS, host allow-list, body limit', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      env: {
        CORS_ORIGINS: 'https://ui.example.com,http://localhost:3000',
        ALLOWED_HOSTS: '127.0.0.1,localhost,*.api.example',
        BODY_LIMIT: '1kb',
      },
      controllers: [FixturesController],
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('request id', () => {
    it('reuses a well-formed incoming x-request-id', async () => {
      const res = await t.http().get('/health').set('x-request-id', 'abc.DEF_123-xyz');
      expect(res.headers['x-request-id']).toBe('abc.DEF_123-xyz');
    });

    it('accepts 128 characters and generates a new id for 129', async () => {
      const max = 'a'.repeat(128);
      expect((await t.http().get('/health').set('x-request-id', max)).headers['x-request-id']).toBe(max);
      const tooLong = 'a'.repeat(129);
      const res = await t.http().get('/health').set('x-request-id', tooLong);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it.each(['has space', 'semi;colon', 'quote"', 'slash/es', 'ünïcode'])(
      'replaces an invalid id (%s)',
      async (bad) => {
        const res = await t.http().get('/health').set('x-request-id', bad);
        expect(res.headers['x-request-id']).toMatch(UUID);
      },
    );

    it('generates one when absent, different per request', async () => {
      const a = await t.http().get('/health');
      const b = await t.http().get('/health');
      expect(a.headers['x-request-id']).toMatch(UUID);
      expect(b.headers['x-request-id']).toMatch(UUID);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it('is echoed on errors and matches the envelope requestId', async () => {
      const res = await t.http().get('/no/such/route').set('x-request-id', 'trace-404');
      expect(res.status).toBe(404);
      expect(res.headers['x-request-id']).toBe('trace-404');
      expect(res.body.requestId).toBe('trace-404');
    });
  });

  describe('security headers', () => {
    it('sets helmet headers on success and error responses', async () => {
      for (const path of ['/health', '/missing']) {
        const res = await t.http().get(path);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).toContain('max-age=');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('CORS allow-list', () => {
    it('allows a listed origin', async () => {
      const res = await t.http().get('/health').set('Origin', 'https://ui.example.com');
      expect(res.headers['access-control-allow-origin']).toBe('https://ui.example.com');
      expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
    });

    it('answers a preflight for a listed origin', async () => {
      const res = await t
        .http()
        .options('/health')
        .set('Origin', 'http://localhost:3000')
        .set('Access-Control-Request-Method', 'POST');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });

    it('gives a foreign origin no Access-Control-Allow-Origin', async () => {
      const res = await t.http().get('/health').set('Origin', 'https://evil.example');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t
        .http()
        .options('/health')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('host allow-list', () => {
    it.each(['localhost', 'localhost:8000', 'eu.api.example', 'a.b.api.example:443', 'EU.API.EXAMPLE'])(
      'admits %s',
      async (host) => {
        const res = await t.http().get('/health').set('Host', host);
        expect(res.status).toBe(200);
      },
    );

    it.each(['api.example', 'api.example.evil', 'evilapi.example', 'example.com', 'eu.api.example.evil'])(
      'rejects %s with a 400 envelope',
      async (host) => {
        const res = await t.http().get('/health').set('Host', host).set('x-request-id', 'host-check');
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          code: 'HOST_NOT_ALLOWED',
          message: 'Host header is not allowed',
          requestId: 'host-check',
        });
      },
    );
  });

  describe('body limit', () => {
    it('accepts a body under the limit', async () => {
      const res = await t.http().post('/__fixtures/echo').send({ name: 'ok' });
      expect(res.status).toBe(201);
    });

    it('answers 413 in the envelope for a body over the limit', async () => {
      const res = await t
        .http()
        .post('/__fixtures/echo')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(2048) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(res.body.message).toContain('1024 bytes');
      expect(typeof res.body.requestId).toBe('string');
    });
  });
});

describe('HTTP pipeline: defaults', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('admits any Host when ALLOWED_HOSTS is unset', async () => {
    expect((await t.http().get('/health').set('Host', 'anything.example')).status).toBe(200);
  });

  it('allows no cross-origin access when CORS_ORIGINS is unset', async () => {
    const res = await t.http().get('/health').set('Origin', 'https://ui.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts 100kb by default and refuses more', async () => {
    const under = JSON.stringify({ name: 'ok', pad: 'x'.repeat(90 * 1024) });
    const over = JSON.stringify({ name: 'ok', pad: 'x'.repeat(101 * 1024) });
    // Under the limit the body is parsed (then routing 404s), over it the parser refuses first.
    expect((await t.http().post('/nowhere').set('Content-Type', 'application/json').send(under)).status).toBe(404);
    expect((await t.http().post('/nowhere').set('Content-Type', 'application/json').send(over)).status).toBe(413);
  });
});
