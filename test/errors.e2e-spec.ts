import { httpCall } from './support/http-client';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { FixturesController } from './support/fixtures.controller';
import { startTestApp, TestApp } from './support/test-app';

const ENVELOPE_KEYS = ['code', 'error', 'message', 'requestId', 'statusCode'];
const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('one error envelope for every error', () => {
  let db: TestDatabase;
  let t: TestApp;
  const tenant = uniqueTenant('ERR');
  const admin = { 'x-admin-key': ADMIN_KEY };
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    httpCall(t.url, { method, path, headers, body, timeoutMs: 10000 });

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      controllers: [FixturesController],
      env: { BODY_LIMIT: '2kb', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${tenant}`]: randomKey('err') },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('unknown route -> 404 envelope that does not echo the path', async () => {
    const res = await t.http().get('/v1/does-not-exist?x=1').set('x-request-id', 'req-404');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'ROUTE_NOT_FOUND',
      message: 'Route not found',
      requestId: 'req-404',
    });
    expect(res.text).not.toContain('does-not-exist');
    expect(res.headers.allow).toBeUndefined();
  });

  describe('a method the path does not accept -> 405 with Allow', () => {
    it.each([
      ['DELETE', '/v1/leads', 'GET, POST'],
      ['PUT', '/v1/leads/6f1c0f7e-9a52-4a8e-b8a1-2f1de4b1c0aa', 'GET'],
      ['GET', '/v1/leads/6f1c0f7e-9a52-4a8e-b8a1-2f1de4b1c0aa/outcome', 'POST'],
      ['POST', '/health', 'GET'],
      ['PUT', `/ops/tenants/${tenant}`, 'GET, PATCH, DELETE'],
      ['HEAD', '/ops/reload-auth', 'POST'],
      ['OPTIONS', '/ops/tenants', 'GET, POST'],
    ])('%s %s -> Allow: %s', async (method, path, allow) => {
      const res = await call(method, path, { 'x-request-id': 'req-405' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      if (method === 'HEAD') return;
      expect(res.body).toEqual({
        statusCode: 405,
        error: 'Method Not Allowed',
        code: 'METHOD_NOT_ALLOWED',
        message: `Method ${method} is not allowed here; this route accepts ${allow}`,
        requestId: 'req-405',
      });
    });

    it('a path no route matches stays 404, whatever the method', async () => {
      for (const method of ['GET', 'DELETE', 'PATCH']) {
        const res = await call(method, '/v1/leads/abc/nothing-here');
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: 'Route not found' });
        expect(res.headers.allow).toBeUndefined();
      }
    });
  });

  it('validation failure -> 400 with per-field details', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .send({ name: 'x', count: 0, item: { code: 'toolong' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'Request validation failed',
    });
    const fields = (res.body.details as Array<{ field: string; messages: string[] }>).map((d) => d.field).sort();
    expect(fields).toEqual(['count', 'item.code', 'name']);
    for (const detail of res.body.details) expect(detail.messages.length).toBeGreaterThan(0);
  });

  it('unknown field -> 400 naming the field', async () => {
    const res = await t.http().post('/__fixtures/echo').send({ name: 'valid', admin: true });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'admin', messages: ['property admin should not exist'] }]);
  });

  it('hundreds of unknown fields -> the first 20 problems and a count of the rest', async () => {
    const body = Object.fromEntries([['name', 'valid'], ...Array.from({ length: 200 }, (_, i) => [`k${i}`, 1])]);
    const res = await t.http().post('/__fixtures/echo').send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toHaveLength(21);
    expect(res.body.details.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ field: `k${i}`, messages: [`property k${i} should not exist`] })),
    );
    expect(res.body.details[20]).toEqual({ field: '*', messages: ['and 180 more problems'] });
    expect(res.text.length).toBeLessThan(3000);
  });

  it('exactly 20 problems -> all 20, no count', async () => {
    const body = Object.fromEntries([['name', 'valid'], ...Array.from({ length: 20 }, (_, i) => [`k${i}`, 1])]);
    const res = await t.http().post('/__fixtures/echo').send(body);
    expect(res.body.details).toHaveLength(20);
    expect(res.body.details.map((d: { field: string }) => d.field)).not.toContain('*');
  });

  it('wrong type -> 400', async () => {
    const res = await t.http().post('/__fixtures/echo').send({ name: 12345 });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('name');
  });

  it('malformed JSON -> 400 envelope without parser internals', async () => {
    const res = await t.http().post('/__fixtures/echo').set('Content-Type', 'application/json').send('{"name": "ab",');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(res.body).toMatchObject({ code: 'MALFORMED_JSON', message: 'Malformed JSON in request body' });
  });

  describe('nesting deeper than JSON_MAX_DEPTH (32) -> 400 before validation', () => {
    it.each([
      ['arrays 1,000 deep (2 KB)', `{"name":${nested(1000)}}`],
      ['objects 100 deep', '{"a":'.repeat(100) + '1' + '}'.repeat(100)],
      ['a bare array 33 deep', nested(33)],
      ['unclosed brackets', '['.repeat(2000)],
    ])('%s', async (_, text) => {
      const res = await call('POST', '/__fixtures/echo', { 'content-type': 'application/json' }, text);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'JSON_TOO_DEEP',
        message: 'Request body is nested deeper than the limit of 32 levels',
        requestId: res.headers['x-request-id'],
      });
    });

    it('32 levels are validated as usual; brackets inside strings do not count', async () => {
      const atLimit = await call(
        'POST',
        '/__fixtures/echo',
        { 'content-type': 'application/json' },
        `{"name":${nested(31)}}`,
      );
      expect(atLimit.status).toBe(400);
      expect(atLimit.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const inString = JSON.stringify({ name: 'ok', pad: '[{'.repeat(500) });
      const res = await call('POST', '/__fixtures/echo', { 'content-type': 'application/json' }, inString);
      expect(res.status).toBe(400);
      expect((res.body as { details: Array<{ field: string }> }).details).toEqual([
        { field: 'pad', messages: ['property pad should not exist'] },
      ]);
    });
  });

  describe('a body that is not JSON on a route that takes one -> 415', () => {
    it.each([
      ['text/plain', '{"name":"abc"}'],
      ['application/x-www-form-urlencoded', 'name=abc'],
      [
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc\r\n--xyz--',
      ],
      ['application/xml', '<name>abc</name>'],
      [undefined, '{"name":"abc"}'],
    ])('Content-Type %s', async (type, body) => {
      const res = await call('POST', '/__fixtures/echo', type ? { 'content-type': type } : {}, body);
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Type must be application/json',
        requestId: res.headers['x-request-id'],
      });
    });

    it('also on admin routes, after the key check', async () => {
      const wrongKey = await call('POST', `/ops/tenants/${tenant}/keys`, { 'content-type': 'text/plain' }, 'x');
      expect(wrongKey.status).toBe(401);
      const res = await call('POST', `/ops/tenants/${tenant}/keys`, { ...admin, 'content-type': 'text/plain' }, 'x');
      expect(res.status).toBe(415);
    });

    it('no body at all keeps working: the routes read it as {}', async () => {
      const reload = await call('POST', '/ops/reload-auth', admin);
      expect(reload.status).toBe(200);
      const minted = await call('POST', `/ops/tenants/${tenant}/keys`, admin);
      expect(minted.status).toBe(201);
      const emptyPlain = await call(
        'POST',
        `/ops/tenants/${tenant}/keys`,
        { ...admin, 'content-type': 'text/plain' },
        '',
      );
      expect(emptyPlain.status).toBe(201);
      const emptyJson = await call(
        'POST',
        `/ops/tenants/${tenant}/keys`,
        { ...admin, 'content-type': 'application/json' },
        '',
      );
      expect(emptyJson.status).toBe(201);
    });

    it('a route without a body ignores what is sent', async () => {
      const res = await call('POST', '/ops/reload-auth', { ...admin, 'content-type': 'text/plain' }, 'anything');
      expect(res.status).toBe(200);
    });
  });

  it('oversized body -> 413 envelope', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'ab', pad: 'y'.repeat(4096) }));
    expect(res.status).toBe(413);
    expect(Object.keys(res.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('unsupported charset -> 415 envelope', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{"name":"ab"}');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'Unsupported Media Type', code: 'UNSUPPORTED_ENCODING' });
  });

  it('unexpected error -> generic 500, detail only in the log with the request id', async () => {
    const res = await t.http().get('/__fixtures/boom').set('x-request-id', 'req-500');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL',
      message: 'Internal server error',
      requestId: 'req-500',
    });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);

    const errorLine = t.logs.lines().find((l) => l.msg === 'unhandled error' && l.requestId === 'req-500');
    expect(errorLine).toBeDefined();
    const err = errorLine?.err as { message: string; stack: string };
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.stack).toContain('fixtures.controller');
  });
});

describe('JSON_MAX_DEPTH set lower', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { controllers: [FixturesController], env: { JSON_MAX_DEPTH: '2' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('refuses a body one level past it, naming the limit', async () => {
    const ok = await t
      .http()
      .post('/__fixtures/echo')
      .send({ name: 'abc', item: { code: 'x' } });
    expect(ok.status).toBe(201);
    const deep = await t
      .http()
      .post('/__fixtures/echo')
      .send({ name: 'abc', item: { code: ['x'] } });
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({
      code: 'JSON_TOO_DEEP',
      message: 'Request body is nested deeper than the limit of 2 levels',
    });
  });
});

describe('REQUIRE_API_KEY=false: an empty x-api-key is a wrong key, not "no key"', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { listen: true, env: { REQUIRE_API_KEY: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('empty header -> 401 INVALID_API_KEY; absent header -> served as tenant public', async () => {
    const empty = await httpCall(t.url, { method: 'GET', path: '/ops/model-status', headers: { 'x-api-key': '' } });
    expect(empty.status).toBe(401);
    expect(empty.body).toMatchObject({
      statusCode: 401,
      code: 'INVALID_API_KEY',
      message: 'Invalid or missing API key',
    });
    const blank = await httpCall(t.url, { method: 'GET', path: '/ops/model-status', headers: { 'x-api-key': '   ' } });
    expect(blank.status).toBe(401);
    const absent = await httpCall(t.url, { method: 'GET', path: '/ops/model-status' });
    expect(absent.status).toBe(200);
    expect((absent.body as { tenant: string }).tenant).toBe('public');
  });
});
