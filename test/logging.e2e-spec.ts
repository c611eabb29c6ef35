import { createTestDatabase, TestDatabase } from './support/test-database';
import { FixturesController } from './support/fixtures.controller';
import { startTestApp, TestApp } from './support/test-app';

describe('structured JSON logs', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { controllers: [FixturesController] });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('writes one access line per request with id, method, route template, status and duration', async () => {
    await t.http().get('/health').set('x-request-id', 'log-health');
    await t.http().get('/v1/nothing-here/123?secret=q').set('x-request-id', 'log-404');
    await t.http().post('/__fixtures/echo').set('x-request-id', 'log-400').send({});

    const lines = t.logs.accessLines();
    const byId = (id: string) => lines.filter((l) => l.requestId === id);
    expect(byId('log-health')).toHaveLength(1);
    expect(byId('log-health')[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/health',
      status: 200,
      tenant: null,
      service: 'customer-ops',
    });
    expect(byId('log-health')[0].durationMs).toEqual(expect.any(Number));
    expect(byId('log-404')[0]).toMatchObject({ route: 'unmatched', status: 404 });
    expect(byId('log-400')[0]).toMatchObject({ route: '/__fixtures/echo', method: 'POST', status: 400 });
    expect(JSON.stringify(lines)).not.toContain('secret=q');
  });

  it('every line is JSON with an ISO time and a level name', async () => {
    await t.http().get('/health');
    for (const line of t.logs.lines()) {
      expect(typeof line.level).toBe('string');
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
    }
  });

  it('never writes credential headers, even when a request fails', async () => {
    const secrets = {
      'x-api-key': 'tenant-key-5f2c9a',
      'x-admin-key': 'admin-key-77e1b0',
      authorization: 'Bearer bearer-token-a1b2',
      cookie: 'session=cookie-value-c3d4',
    };
    await t.http().get('/health').set(secrets);
    await t.http().get('/__fixtures/boom').set(secrets);
    await t.http().post('/__fixtures/echo').set(secrets).send({ name: 'x' });
    const text = t.logs.text();
    for (const value of ['tenant-key-5f2c9a', 'admin-key-77e1b0', 'bearer-token-a1b2', 'cookie-value-c3d4']) {
      expect(text).not.toContain(value);
    }
  });
});
