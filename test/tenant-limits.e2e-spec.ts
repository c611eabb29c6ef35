import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { V1FixturesController } from './support/fixtures.controller';
import { parsePrometheus } from './support/prometheus';
import { describeWithRedis, eventually, testRedisUrl } from './support/redis';
import { parseSfList } from './support/structured-fields';
import { TestClock } from './support/test-clock';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';
import { twoInstances } from './support/two-instances';

const admin = { 'x-admin-key': ADMIN_KEY };
const PLANS = {
  pro: {
    default: {
      windows: [
        { limit: 3, window: '1s' },
        { limit: 5, window: '1h' },
      ],
    },
    ops: { windows: [{ limit: 50, window: '1m' }] },
  },
  metered: { default: { windows: [{ limit: 1000, window: '1m' }], quotas: { leadsPerMonth: 2 } } },
};
const lead = { name: 'Quota Lead', phone: '+1 555 010 0100', details: 'Gutter repair quote' };

const storages: Array<[string, Record<string, string>]> = [['memory storage', {}]];
const sharedRedis = testRedisUrl();
if (sharedRedis) storages.push(['Redis storage', { REDIS_URL: sharedRedis }]);

describe.each(storages)('plans, per-tenant limits and quotas on %s', (_, storageEnv) => {
  let db: TestDatabase;
  let t: TestApp;
  // Mid-month, away from any window edge; the test moves it.
  const clock = new TestClock(Date.parse('2026-12-15T10:00:00.000Z'));

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      clock,
      controllers: [V1FixturesController],
      env: {
        ...storageEnv,
        RATE_LIMIT_ENABLED: 'true',
        // The operator's own budget (the default plan's ops family) out of the way of this suite.
        RATE_LIMIT_OPS: '1000/minute',
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        ADMIN_AUTH_FAILURE_LIMIT: '3/minute',
        AUTH_FAILURE_LIMIT: '4/minute',
      },
    });
    writeFileSync(t.config.plansFile, JSON.stringify({ plans: PLANS }));
    const reloaded = await t.http().post('/ops/reload-auth').set(admin);
    expect(reloaded.body.plans).toBe(3);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const onboard = async (plan: string) => {
    const tenant = uniqueTenant(plan.toUpperCase());
    const res = await t.http().post('/ops/tenants').set(admin).send({ tenant, plan, mintKey: true });
    expect(res.status).toBe(201);
    return { tenant, key: res.body.key.key as string };
  };
  const ping = (key: string) => t.http().get('/v1/__fixtures/ping').set('x-api-key', key);

  it('a burst window and an hourly window together, with IETF and X-RateLimit headers', async () => {
    const { key } = await onboard('pro');
    const first = await ping(key);
    expect(first.status).toBe(200);
    expect(parseSfList(first.headers['ratelimit-policy'])).toEqual([
      { value: 'burst', params: { q: 3, w: 1 } },
      { value: 'hour', params: { q: 5, w: 3600 } },
    ]);
    expect(parseSfList(first.headers['ratelimit'])).toEqual([{ value: 'burst', params: { r: 2, t: 1 } }]);
    expect(first.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2' });

    expect((await ping(key)).status).toBe(200);
    expect((await ping(key)).status).toBe(200);
    const burst = await ping(key);
    expect(burst.status).toBe(429);
    expect(burst.body).toMatchObject({ statusCode: 429, message: 'Rate limit exceeded: 3 requests per 1s' });
    expect(burst.headers['retry-after']).toBe('1');

    clock.advance(1001);
    expect((await ping(key)).status).toBe(200);
    const lastOfHour = await ping(key);
    expect(lastOfHour.status).toBe(200);
    // The hour is now the tighter window: the headers describe it.
    expect(parseSfList(lastOfHour.headers['ratelimit'])[0]).toMatchObject({ value: 'hour', params: { r: 0 } });
    const hourly = await ping(key);
    expect(hourly.status).toBe(429);
    expect(hourly.body.message).toBe('Rate limit exceeded: 5 requests per 3600s');
    expect(Number(hourly.headers['retry-after'])).toBeGreaterThan(3500);

    // Refused requests did not count: an hour later the budget is whole again.
    clock.advance(3600_000);
    const fresh = await ping(key);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('an override on one tenant leaves the others on the plan unchanged', async () => {
    const [one, other] = [await onboard('pro'), await onboard('pro')];
    const patched = await t
      .http()
      .patch(`/ops/tenants/${one.tenant}`)
      .set(admin)
      .send({ limits: { default: { windows: [{ limit: 1, window: '10s' }] } } });
    expect(patched.status).toBe(200);
    const detail = await t.http().get(`/ops/tenants/${one.tenant}`).set(admin);
    expect(detail.body.limits.default.windows).toEqual([{ name: 'burst', limit: 1, windowSeconds: 10 }]);
    expect(detail.body.limits.ops.windows).toEqual([{ name: 'minute', limit: 50, windowSeconds: 60 }]);

    expect((await ping(one.key)).status).toBe(200);
    expect((await ping(one.key)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await ping(other.key)).status).toBe(200);
    const bad = await t
      .http()
      .patch(`/ops/tenants/${other.tenant}`)
      .set(admin)
      .send({ limits: { default: { windows: [{ limit: 0, window: '10x' }] } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.details)).toMatch(/10x/);
    clock.advance(10_000);
  });

  it('a monthly lead quota runs out (429, Retry-After to the month end) and resets with the month', async () => {
    const { tenant, key } = await onboard('metered');
    const capture = () => t.http().post('/v1/leads').set('x-api-key', key).send(lead);
    expect((await capture()).status).toBe(201);
    expect((await capture()).status).toBe(201);
    // Reading leads is not a lead capture: the quota does not apply.
    expect((await t.http().get('/v1/leads').set('x-api-key', key)).status).toBe(200);
    const out = await capture();
    expect(out.status).toBe(429);
    expect(out.body).toMatchObject({ statusCode: 429, message: 'Monthly lead quota exhausted' });
    const untilMonthEnd = (Date.parse('2027-01-01T00:00:00Z') - clock.now()) / 1000;
    expect(Number(out.headers['retry-after'])).toBeGreaterThanOrEqual(Math.floor(untilMonthEnd));

    const usage = await t.http().get(`/ops/tenants/${tenant}/usage`).set(admin);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ tenant, plan: 'metered' });
    expect(usage.body.quotas).toEqual([
      {
        family: 'default',
        name: 'leadsPerMonth',
        limit: 2,
        used: 2,
        remaining: 0,
        resetsAt: '2027-01-01T00:00:00.000Z',
      },
    ]);
    expect(usage.body.windows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ family: 'default', name: 'minute', limit: 1000, used: 3, windowSeconds: 60 }),
        expect.objectContaining({ family: 'ops', limit: 1000 }),
      ]),
    );

    clock.set(Date.parse('2027-01-01T00:00:01.000Z'));
    expect((await capture()).status).toBe(201);
    clock.set(Date.parse('2027-01-01T00:30:00.000Z'));
  });

  it('DELETE /ops/tenants/:tenant/usage resets the counters', async () => {
    const { tenant, key } = await onboard('metered');
    await t.http().post('/v1/leads').set('x-api-key', key).send(lead);
    await t.http().post('/v1/leads').set('x-api-key', key).send(lead);
    expect((await t.http().post('/v1/leads').set('x-api-key', key).send(lead)).status).toBe(429);
    const reset = await t.http().delete(`/ops/tenants/${tenant}/usage`).set(admin);
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ tenant, reset: true });
    expect((await t.http().post('/v1/leads').set('x-api-key', key).send(lead)).status).toBe(201);
    expect((await t.http().get(`/ops/tenants/UNKNOWN${tenant}/usage`).set(admin)).status).toBe(404);
  });

  it('counts tenant_requests_total by tenant, family and result', async () => {
    const { tenant, key } = await onboard('pro');
    for (let i = 0; i < 4; i++) await ping(key);
    const metrics = parsePrometheus((await t.http().get('/metrics')).text);
    expect(metrics.value('tenant_requests_total', { tenant, family: 'default', result: 'allowed' })).toBe(3);
    expect(metrics.value('tenant_requests_total', { tenant, family: 'default', result: 'limited' })).toBe(1);
    clock.advance(3600_000);
  });

  it('a malformed plans file: reload 400 naming the problem, previous plans stay', async () => {
    writeFileSync(
      t.config.plansFile,
      JSON.stringify({ plans: { pro: { default: { windows: [{ limit: 5, window: '10x' }] } } } }),
    );
    const res = await t.http().post('/ops/reload-auth').set(admin);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Plans file .*10x.*previous plans stay in force/);
    expect(
      (
        await t
          .http()
          .post('/ops/tenants')
          .set(admin)
          .send({ tenant: uniqueTenant('M'), plan: 'metered' })
      ).status,
    ).toBe(201);
    writeFileSync(t.config.plansFile, JSON.stringify({ plans: PLANS }));
    expect((await t.http().post('/ops/reload-auth').set(admin)).status).toBe(200);
  });

  it('throttles failed authentication per IP, even for a right key, until the window ends', async () => {
    const { key } = await onboard('pro');
    clock.advance(3600_000);
    const before = parsePrometheus((await t.http().get('/metrics')).text);
    for (let i = 0; i < 4; i++) expect((await ping(randomKey('wrong'))).status).toBe(401);
    const blocked = await ping(randomKey('wrong'));
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/failed authentication/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await ping(key)).status).toBe(429);

    // Wrong admin keys have their own, stricter budget.
    for (let i = 0; i < 3; i++) {
      expect((await t.http().get('/ops/tenants').set('x-admin-key', 'wrong-admin-key')).status).toBe(401);
    }
    expect((await t.http().get('/ops/tenants').set('x-admin-key', 'wrong-admin-key')).status).toBe(429);
    expect((await t.http().get('/ops/tenants').set(admin)).status).toBe(429);

    const after = parsePrometheus((await t.http().get('/metrics')).text);
    const failures = (kind: string) =>
      after.value('auth_failures_total', { kind }) - before.value('auth_failures_total', { kind });
    expect(failures('tenant')).toBe(5);
    expect(failures('admin')).toBe(4);

    clock.advance(61_000);
    expect((await ping(key)).status).toBe(200);
    expect((await t.http().get('/ops/tenants').set(admin)).status).toBe(200);
  });
});

describe('plans file at start-up', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a malformed plans file stops start-up with the problem named', async () => {
    const plansFile = join(tmpdir(), `co-plans-bad-${randomKey('p')}.json`);
    writeFileSync(plansFile, '{ "plans": { "pro": { "default": { "windows": [] } } } }');
    await expect(startTestApp(db.url, { env: { PLANS_FILE: plansFile } })).rejects.toThrow(
      /Plans file .*pro\.default\.windows/,
    );
  });
});

describeWithRedis('a tenant limit shared by two instances on one Redis', (redisUrl) => {
  const plansFile = join(tmpdir(), `co-plans-${randomKey('fleet')}.json`);
  const fleet = twoInstances(
    {
      controllers: [V1FixturesController],
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '1000/minute',
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        PLANS_FILE: plansFile,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `co-fleet-${randomKey('rl')}`,
      },
    },
    () =>
      writeFileSync(
        plansFile,
        JSON.stringify({ plans: { fifty: { default: { windows: [{ limit: 50, window: '1h' }] } } } }),
      ),
  );

  it('200 concurrent requests against a limit of 50 admit exactly 50 across both instances', async () => {
    const { a, b } = fleet;
    const tenant = uniqueTenant('FIFTY');
    const created = await a.http().post('/ops/tenants').set(admin).send({ tenant, plan: 'fifty', mintKey: true });
    const key = created.body.key.key as string;
    await b.http().post('/ops/reload-auth').set(admin).expect(200);
    await eventually(async () => {
      const detail = await b.http().get(`/ops/tenants/${tenant}`).set(admin);
      return detail.body.limits?.default.windows[0].limit === 50;
    }, 3000);

    const calls = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? a : b).http().get('/v1/__fixtures/ping').set('x-api-key', key),
    );
    const statuses = (await Promise.all(calls)).map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    const usage = await b.http().get(`/ops/tenants/${tenant}/usage`).set(admin);
    expect(usage.body.windows.find((w: { family: string }) => w.family === 'default')).toMatchObject({
      limit: 50,
      used: 50,
      remaining: 0,
    });
  });
});

describeWithRedis('plans reloaded on one instance reach the others', (redisUrl) => {
  const plansFile = join(tmpdir(), `co-plans-${randomKey('sync')}.json`);
  const fleet = twoInstances({
    env: {
      REQUIRE_API_KEY: 'true',
      API_ADMIN_KEY: ADMIN_KEY,
      PLANS_FILE: plansFile,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `co-plans-${randomKey('rl')}`,
    },
  });

  it('POST /ops/reload-auth on A: B knows the new plan within 2 s', async () => {
    const { a, b } = fleet;
    const onB = async () =>
      (
        await b
          .http()
          .post('/ops/tenants')
          .set(admin)
          .send({ tenant: uniqueTenant('SYNC'), plan: 'pro' })
      ).status;
    expect(await onB()).toBe(400);
    writeFileSync(plansFile, JSON.stringify({ plans: PLANS }));
    const reloaded = await a.http().post('/ops/reload-auth').set(admin);
    expect(reloaded.body.plans).toBe(3);
    expect(await eventually(async () => (await onB()) === 201, 2000)).toBeLessThan(2000);
  });
});
