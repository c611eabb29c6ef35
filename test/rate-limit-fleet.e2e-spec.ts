import { randomKey, uniqueTenant } from './support/keys';
import { describeWithRedis } from './support/redis';
import { TestApp } from './support/test-app';
import { twoInstances } from './support/two-instances';

describeWithRedis('rate limits shared by instances on one Redis', (redisUrl) => {
  const tenant = uniqueTenant('SHARED');
  const key = randomKey('shared');
  const fleet = twoInstances({
    env: {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `co-fleet-${uniqueTenant('P').toLowerCase()}`,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_OPS: '5/minute',
      REQUIRE_API_KEY: 'true',
      [`API_KEY_${tenant}`]: key,
    },
  });

  it('one budget per tenant across instances', async () => {
    const { a, b } = fleet;
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
