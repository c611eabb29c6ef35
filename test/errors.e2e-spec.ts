import { createTestDatabase, TestDatabase } from './support/test-database';
import { FixturesController } from './support/fixtures.controller';
import { startTestApp, TestApp } from './support/test-app';

const ENVELOPE_KEYS = ['error', 'message', 'requestId', 'statusCode'];

describe('one error envelope for every error', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { controllers: [FixturesController], env: { BODY_LIMIT: '2kb' } });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('unknown route -> 404 envelope', async () => {
    const res = await t.http().get('/v1/does-not-exist?x=1').set('x-request-id', 'req-404');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: 'req-404' });
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('validation failure -> 400 with per-field details', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .send({ name: 'x', count: 0, item: { code: 'toolong' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Request validation failed' });
    const fields = (res.body.details as Array<{ field: string; messages: string[] }>).map((d) => d.field).sort();
    expect(fields).toEqual(['count', 'item.code', 'name']);
    for (const detail of res.body.details) expect(detail.messages.length).toBeGreaterThan(0);
  });

  it('unknown field -> 400 naming the field', async () => {
    const res = await t.http().post('/__fixtures/echo').send({ name: 'valid', admin: true });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'admin', messages: ['property admin should not exist'] }]);
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
    expect(res.body.message).toBe('Malformed JSON in request body');
  });

  it('oversized body -> 413 envelope', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'ab', pad: 'y'.repeat(4096) }));
    expect(res.status).toBe(413);
    expect(Object.keys(res.body).sort()).toEqual(ENVELOPE_KEYS);
  });

  it('unsupported charset -> 415 envelope', async () => {
    const res = await t
      .http()
      .post('/__fixtures/echo')
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{"name":"ab"}');
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('Unsupported Media Type');
  });

  it('unexpected error -> generic 500, detail only in the log with the request id', async () => {
    const res = await t.http().get('/__fixtures/boom').set('x-request-id', 'req-500');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
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
