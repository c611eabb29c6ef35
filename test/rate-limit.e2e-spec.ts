import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { FixturesController, V1FixturesController } from './support/fixtures.controller';
import { parsePrometheus } from './support/prometheus';
import { testRedisUrl } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const storages: Array<[string, Record<string, string>]> = [['memory storage', {}]];
const sharedRedis = testRedisUrl();
if (sharedRedis) storages.push(['Redis storage', { REDIS_URL: sharedRedis }]);

describe.each(storages)('rate limiting on %s', (_, storageEnv) => {
  let db: TestDatabase;
  let t: TestApp;
  const tenantA = uniqueTenant('RLA');
  const tenantB = uniqueTenant('RLB');
  const keyA = randomKey('rla');
  const keyB = randomKey('rlb');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      controllers: [FixturesController, V1FixturesController],
      env: {
        ...storageEnv,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '5/minute',
        RATE_LIMIT_DEFAULT: '3/minute',
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        [`API_KEY_${tenantA}`]: keyA,
        [`API_KEY_${tenantB}`]: keyB,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const modelStatus = (key: string) => t.http().get('/ops/model-status').set('x-api-key', key);

  it('8 calls with one tenant key: 5 x 200, then 3 x 429 with Retry-After and X-RateLimit-*', async () => {
    const before = parsePrometheus((await t.http().get('/metrics')).text);
    const responses = [];
    for (let i = 0; i < 8; i++) responses.push(await modelStatus(keyA));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);

    responses.forEach((res, i) => {
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(Math.max(0, 4 - i)));
      const reset = Number(res.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
    });
    for (const res of responses.slice(5)) {
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Rate limit exceeded: 5 requests per 60s',
        requestId: expect.any(String),
      });
    }
    for (const res of responses.slice(0, 5)) expect(res.headers['retry-after']).toBeUndefined();

    const after = parsePrometheus((await t.http().get('/metrics')).text);
    const rejected = (s: typeof after) => s.value('rate_limit_rejected_total', { bucket: 'ops' });
    expect(rejected(after) - rejected(before)).toBe(3);
  });

  it('a second tenant is unaffected', async () => {
    const res = await modelStatus(keyB);
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('the operator has a budget of its own', async () => {
    expect((await modelStatus(keyA)).status).toBe(429);
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await t.http().get('/ops/tenants').set('x-admin-key', ADMIN_KEY)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('/v1/* routes count against RATE_LIMIT_DEFAULT, separately from /ops/*', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.http().get('/v1/__fixtures/ping').set('x-api-key', keyB);
      statuses.push(res.status);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it.each(['/health', '/readyz', '/metrics', '/docs-json', '/__fixtures/echo'])('never limits %s', async (path) => {
    for (let i = 0; i < 12; i++) {
      const res =
        path === '/__fixtures/echo' ? await t.http().post(path).send({ name: 'ok' }) : await t.http().get(path);
      expect(res.status).toBeLessThan(300);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('rate limiting anonymous callers per client IP', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const burst = async (t: TestApp, ip: string, n: number) => {
    const statuses = [];
    for (let i = 0; i < n; i++) {
      statuses.push((await t.http().get('/ops/model-status').set('X-Forwarded-For', ip)).status);
    }
    return statuses;
  };

  it('honours X-Forwarded-For when TRUST_PROXY is set', async () => {
    const t = await startTestApp(db.url, {
      env: { RATE_LIMIT_ENABLED: 'true', REQUIRE_API_KEY: 'false', TRUST_PROXY: '1', RATE_LIMIT_OPS: '3/minute' },
    });
    try {
      expect(await burst(t, '203.0.113.7', 4)).toEqual([200, 200, 200, 429]);
      expect(await burst(t, '203.0.113.8', 1)).toEqual([200]);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For without TRUST_PROXY', async () => {
    const t = await startTestApp(db.url, {
      env: { RATE_LIMIT_ENABLED: 'true', REQUIRE_API_KEY: 'false', RATE_LIMIT_OPS: '3/minute' },
    });
    try {
      expect(await burst(t, '203.0.113.7', 3)).toEqual([200, 200, 200]);
      expect(await burst(t, '203.0.113.8', 1)).toEqual([429]);
    } finally {
      await t.close();
    }
  });

  it('RATE_LIMIT_ENABLED=false: no limits and no headers', async () => {
    const t = await startTestApp(db.url, { env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_OPS: '1/minute' } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.http().get('/ops/model-status');
        expect(res.status).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});
