import Redis from 'ioredis';
import { authChannel } from '../apps/customer-ops/src/auth/auth-sync.service';
import { BlackHole } from './support/black-hole';
import { TcpProxy } from './support/chaos';
import { randomKey, uniqueTenant } from './support/keys';
import { parsePrometheus, Scrape } from './support/prometheus';
import { eventually } from './support/redis';
import { hasRedisServer, PrivateRedis } from './support/redis-server';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * These suites start their own redis-server on a free port and kill it; the machine's
 * shared Redis is never touched. Without a redis-server binary they are skipped locally
 * and fail in CI.
 */
const canRun = hasRedisServer();
if (!canRun && process.env.CI === 'true') throw new Error('redis-server is required for the rate-limit fault suites');
const describeFaults = canRun ? describe : describe.skip;

describeFaults('rate limiting while Redis fails', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let t: TestApp;
  const tenant = uniqueTenant('FAULT');
  const key = randomKey('fault');

  const call = () => t.http().get('/ops/model-status').set('x-api-key', key);
  const scrape = async (): Promise<Scrape> => parsePrometheus((await t.http().get('/metrics')).text);
  const outageLines = () => t.logs.lines().filter((l) => String(l.msg).startsWith('rate limiter: Redis unavailable'));
  const recoveryLines = () =>
    t.logs.lines().filter((l) => l.msg === 'rate limiter: Redis is back, shared limits resume');

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await PrivateRedis.start();
    t = await startTestApp(db.url, {
      env: {
        REDIS_URL: redis.url,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '3/minute',
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${tenant}`]: key,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await redis?.kill();
    await db?.drop();
  });

  it('limits while Redis is up', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await scrape()).value('rate_limit_backend_up')).toBe(1);
  });

  it('Redis killed: every request is served, promptly, without rate-limit headers', async () => {
    const before = (await scrape()).value('rate_limit_fail_open_total');
    await redis.kill();
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      const res = await call();
      // A hang guard, not a performance target: ioredis' defaults would stall for seconds.
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
    }
    const during = await scrape();
    expect(during.value('rate_limit_fail_open_total') - before).toBeGreaterThanOrEqual(20);
    expect(during.value('rate_limit_backend_up')).toBe(0);
    expect(outageLines()).toHaveLength(1);
    expect(outageLines()[0].level).toBe('warn');
  });

  it('/health reports redis down and degraded; /readyz stays ready', async () => {
    const health = await t.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { redis: 'down', database: 'up' } });
    const ready = await t.http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.redis).toBe('down');
  });

  it('Redis back on the same port: 429s return within 5 s, without a restart', async () => {
    await redis.start();
    await eventually(async () => (await call()).status === 429, 5000, 100);
    expect(recoveryLines()).toHaveLength(1);
    expect(outageLines()).toHaveLength(1);
    expect((await scrape()).value('rate_limit_backend_up')).toBe(1);
    const health = await t.http().get('/health');
    expect(health.body).toMatchObject({ status: 'ok', checks: { redis: 'up' } });
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
  });
});

describeFaults('RATE_LIMIT_FALLBACK=memory while Redis is down', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let t: TestApp;
  const tenant = uniqueTenant('FALLBACK');
  const key = randomKey('fb');

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await PrivateRedis.start();
    t = await startTestApp(db.url, {
      env: {
        REDIS_URL: redis.url,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_FALLBACK: 'memory',
        RATE_LIMIT_OPS: '3/minute',
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${tenant}`]: key,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await redis?.kill();
    await db?.drop();
  });

  it('keeps limiting from memory during the outage', async () => {
    await redis.kill();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.http().get('/ops/model-status').set('x-api-key', key)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const metrics = parsePrometheus((await t.http().get('/metrics')).text);
    expect(metrics.value('rate_limit_backend_up')).toBe(0);
    const outage = t.logs.lines().filter((l) => String(l.msg).startsWith('rate limiter: Redis unavailable'));
    expect(outage).toHaveLength(1);
    expect(String(outage[0].msg)).toContain('memory');
  });
});

/** Rejects when `promise` has not settled within `ms`: a hang is a failure, not a stuck suite. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The bound on start-up with a Redis that never answers: its 2 s wait, plus slack for a busy machine. */
const DEGRADED_STARTUP_BOUND_MS = 8000;

describe('a Redis that accepts connections and never answers, from start-up', () => {
  let db: TestDatabase;
  let hole: BlackHole;
  let t: TestApp;
  let startupMs: number;
  const tenant = uniqueTenant('HOLE');
  const key = randomKey('hole');
  // Warnings about Redis (the test app also warns that its keys file does not exist).
  const warnings = () =>
    t.logs.lines().filter((l) => l.level === 'warn' && /redis|rate limit|auth sync/i.test(String(l.msg)));

  beforeAll(async () => {
    db = await createTestDatabase();
    hole = await BlackHole.start();
    const started = Date.now();
    t = await within(
      startTestApp(db.url, {
        env: {
          REDIS_URL: `redis://127.0.0.1:${hole.port}`,
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_OPS: '3/minute',
          REQUIRE_API_KEY: 'true',
          [`API_KEY_${tenant}`]: key,
        },
      }),
      DEGRADED_STARTUP_BOUND_MS,
      'start-up',
    );
    startupMs = Date.now() - started;
  });

  afterAll(async () => {
    await t?.close();
    await hole?.close();
    await db?.drop();
  });

  it('starts within the bound, degraded, with one warning that says so', () => {
    expect(startupMs).toBeLessThan(DEGRADED_STARTUP_BOUND_MS);
    expect(hole.connections).toBeGreaterThan(0);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ waitedMs: 2000 });
    expect(String(warnings()[0].msg)).toMatch(
      /^redis not answering at start-up: starting degraded \(rate limiting fails open/,
    );
  });

  it('serves requests, unlimited (fail open) and without rate-limit headers', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await t.http().get('/ops/model-status').set('x-api-key', key);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const metrics = parsePrometheus((await t.http().get('/metrics')).text);
    expect(metrics.value('rate_limit_backend_up')).toBe(0);
    expect(metrics.value('rate_limit_fail_open_total')).toBeGreaterThanOrEqual(5);
  });

  it('/health is degraded with redis down; /readyz stays ready', async () => {
    const health = await t.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { database: 'up', redis: 'down' } });
    const ready = await t.http().get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('keeps retrying the connection without logging more lines', async () => {
    const before = hole.connections;
    // Each attempt's handshake gives up after REDIS_COMMAND_TIMEOUT_MS and reconnects.
    await eventually(async () => hole.connections >= before + 3, 10000);
    expect(warnings()).toHaveLength(1);
    expect(t.logs.lines().filter((l) => l.level === 'error')).toEqual([]);
  });
});

describeFaults('a Redis that never answers at start-up, then does', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let proxy: TcpProxy;
  let t: TestApp;
  const tenant = uniqueTenant('LATE');
  const key = randomKey('late');
  const call = () => t.http().get('/ops/model-status').set('x-api-key', key);

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await PrivateRedis.start();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: redis.port });
    proxy.stall();
    t = await within(
      startTestApp(db.url, {
        env: {
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_OPS: '3/minute',
          REQUIRE_API_KEY: 'true',
          [`API_KEY_${tenant}`]: key,
        },
      }),
      DEGRADED_STARTUP_BOUND_MS,
      'start-up',
    );
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.cut();
    await redis?.kill();
    await db?.drop();
  });

  it('recovers by itself once Redis answers: limits apply, /health ok, fleet sync subscribed', async () => {
    expect((await t.http().get('/health')).body.checks.redis).toBe('down');
    await proxy.restore();
    await eventually(async () => (await t.http().get('/health')).body.checks.redis === 'up', 10000, 100);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await t.http().get('/health')).body).toMatchObject({ status: 'ok', checks: { redis: 'up' } });
    const messages = t.logs.lines().map((l) => l.msg);
    expect(messages).toContain('rate limiter: Redis is back, shared limits resume');
    await eventually(
      async () =>
        t.logs.lines().some((l) => l.msg === 'auth sync: subscribed; reloads on other instances reach this one again'),
      10000,
    );
    expect(t.logs.lines().filter((l) => l.level === 'warn' && String(l.msg).includes('unavailable'))).toEqual([]);
  });

  it('receives reloads announced by other instances once subscribed', async () => {
    const other = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const fleetReloads = () => t.logs.lines().filter((l) => l.action === 'reload' && l.trigger === 'fleet');
      await other.publish(
        authChannel(t.config.redisKeyPrefix),
        JSON.stringify({ origin: 'another-instance', scope: 'db' }),
      );
      await eventually(async () => fleetReloads().length === 1, 5000);
    } finally {
      other.disconnect();
    }
  });
});

describeFaults('a Redis that stalls mid-traffic', () => {
  const COMMAND_TIMEOUT_MS = 600;
  let db: TestDatabase;
  let redis: PrivateRedis;
  let admin: Redis;
  let t: TestApp;
  const tenant = uniqueTenant('STALL');
  const key = randomKey('stall');
  const call = () => t.http().get('/ops/model-status').set('x-api-key', key);
  const outageLines = () => t.logs.lines().filter((l) => String(l.msg).startsWith('rate limiter: Redis unavailable'));

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await PrivateRedis.start();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    t = await startTestApp(db.url, {
      env: {
        REDIS_URL: redis.url,
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '1000/minute',
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${tenant}`]: key,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    admin?.disconnect();
    await redis?.kill();
    await db?.drop();
  });

  it('limits in Redis while it answers', async () => {
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('1000');
    expect((await t.http().get('/health')).body).toMatchObject({ status: 'ok', checks: { redis: 'up' } });
  });

  it('stalled: a limiter call gives up after REDIS_COMMAND_TIMEOUT_MS, the next ones skip Redis, /health is degraded', async () => {
    // Every command of every client waits 5 s; the connections stay open.
    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    const started = Date.now();
    const first = await call();
    const firstMs = Date.now() - started;
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBeUndefined();
    // It waited for the configured timeout (not a built-in one), and not for the pause.
    expect(firstMs).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 20);
    expect(firstMs).toBeLessThan(COMMAND_TIMEOUT_MS + 2000);
    expect(outageLines()).toHaveLength(1);
    expect(outageLines()[0]).toMatchObject({ level: 'warn', reason: 'Command timed out' });

    const health = await t.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', checks: { redis: 'degraded', database: 'up' } });
    expect((await t.http().get('/readyz')).status).toBe(200);
    const metrics = parsePrometheus((await t.http().get('/metrics')).text);
    expect(metrics.value('rate_limit_backend_up')).toBe(0);
  });

  it('limits in Redis again once the stall ends, with one recovery line', async () => {
    await eventually(async () => (await call()).headers['x-ratelimit-limit'] === '1000', 10000, 100);
    expect((await t.http().get('/health')).body).toMatchObject({ status: 'ok', checks: { redis: 'up' } });
    expect(outageLines()).toHaveLength(1);
    expect(t.logs.lines().filter((l) => l.msg === 'rate limiter: Redis is back, shared limits resume')).toHaveLength(1);
  });
});
