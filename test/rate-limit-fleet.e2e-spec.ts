import { randomKey, uniqueTenant } from './support/keys';
import { describeWithRedis } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describeWithRedis('rate limits shared by instances on one Redis', (redisUrl) => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const tenant = uniqueTenant('SHARED');
  const key = randomKey('shared');

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `co-fleet-${uniqueTenant('P').toLowerCase()}`,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_OPS: '5/minute',
      REQUIRE_API_KEY: 'true',
      [`API_KEY_${tenant}`]: key,
    };
    a = await startTestApp(db.url, { env });
    b = await startTestApp(db.url, { env });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('one budget per tenant across instances', async () => {
    const call = async (app: TestApp) => (await app.http().get('/ops/model-status').set('x-api-key', key)).status;
    const statuses = [
      await call(a),
      await call(b),
      await call(a),
      await call(b),
      await call(a),
      await call(b),
      await call(a),
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });
});
