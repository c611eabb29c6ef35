import { Agent } from 'node:http';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { describeChaos, Load, startLoad, tally } from '../support/chaos';
import { httpCall } from '../support/http-client';
import { randomKey, uniqueTenant } from '../support/keys';
import { validLead } from '../support/leads';
import { parsePrometheus } from '../support/prometheus';
import { eventually } from '../support/redis';
import { PrivateRedis } from '../support/redis-server';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/*
 * A private redis-server (never the shared one) is SIGKILLed and restarted while the API
 * serves a steady load of /v1 requests with rate limiting on. The /v1 budget is too high to
 * reject anything; the /ops budget is 3 per minute, so a probe tenant on GET /ops/model-status
 * shows whether shared limiting works.
 */
describeChaos('Redis killed and restarted under load', () => {
  let db: TestDatabase;
  let redis: PrivateRedis;
  let api: ApiProcess;
  let load: Load<{ route: string }>;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const loadTenant = uniqueTenant('CHAOSRL');
  const loadKey = randomKey('load');
  const probeTenant = uniqueTenant('PROBE');
  const probeKey = randomKey('probe');
  const run = uniqueTenant('R');
  let outage = { killedAt: 0, restartedAt: 0 };

  const probe = async () =>
    (
      await httpCall(api.url(''), {
        method: 'GET',
        path: '/ops/model-status',
        headers: { 'x-api-key': probeKey },
        agent,
        timeoutMs: 20000,
      })
    ).status;
  const metrics = async () =>
    parsePrometheus((await httpCall(api.url(''), { method: 'GET', path: '/metrics', timeoutMs: 20000 })).text);

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await PrivateRedis.start();
    api = await startApiProcess(
      {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `co-chaos-${run.toLowerCase()}`,
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${loadTenant}`]: loadKey,
        [`API_KEY_${probeTenant}`]: probeKey,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_FALLBACK: 'open',
        RATE_LIMIT_DEFAULT: '1000000/minute',
        RATE_LIMIT_OPS: '3/minute',
      },
      60000,
    );
  }, 90000);

  afterAll(async () => {
    await load?.stop();
    agent.destroy();
    api?.child.kill('SIGKILL');
    await api?.exited;
    await redis?.kill();
    await db?.drop();
  });

  it('limits while Redis is up', async () => {
    expect([await probe(), await probe(), await probe(), await probe()]).toEqual([200, 200, 200, 429]);
  });

  it('serves a steady load through the kill and the restart, then limits again within 5 s', async () => {
    const routes = [
      () => ({
        method: 'POST',
        path: '/v1/leads',
        body: JSON.stringify(validLead({ name: `Chaos ${run}` })),
        headers: { 'content-type': 'application/json' },
      }),
      () => ({ method: 'GET', path: '/v1/leads?limit=5', headers: {} }),
      () => ({ method: 'GET', path: '/v1/leads/search?q=roof', headers: {} }),
      () => ({ method: 'GET', path: '/v1/analytics/outcomes', headers: {} }),
    ];
    load = startLoad({
      baseUrl: api.url(''),
      concurrency: 6,
      maxDurationMs: 60000,
      next: (worker, seq) => {
        const call = routes[(worker + seq) % routes.length]();
        return {
          meta: { route: `${call.method} ${call.path}` },
          call: { ...call, headers: { ...call.headers, 'x-api-key': loadKey }, agent },
        };
      },
    });
    // Each phase lasts a number of served requests, not a stretch of wall time.
    const servedSince = (since: number, count: number) =>
      eventually(async () => load.samples.filter((s) => s.startedAt > since).length >= count, 15000);
    await servedSince(0, 30);
    outage = { killedAt: Date.now(), restartedAt: 0 };
    await redis.kill();
    // The API has noticed (its one outage line) and served a share of the load through it.
    await eventually(
      async () => api.logLines().some((l) => String(l.msg).startsWith('rate limiter: Redis unavailable')),
      15000,
    );
    await servedSince(outage.killedAt, 60);
    await redis.start();
    outage.restartedAt = Date.now();
    // Limits resume by themselves, within 5 s and under load. Redis restarted empty: the probe's
    // budget starts over, so a 429 proves that counting is shared again.
    await eventually(async () => (await probe()) === 429, 5000, 100);
    await servedSince(outage.restartedAt, 30);
    const samples = await load.stop();

    // Not one 5xx, not one failed request, over the whole run.
    const counts = tally(samples);
    expect(Object.keys(counts).filter((k) => k !== '200' && k !== '201')).toEqual([]);
    // The load did run across the outage (a sanity check on the test itself, not a target).
    const during = samples.filter((s) => s.startedAt > outage.killedAt && s.endedAt < outage.restartedAt);
    expect(during.length).toBeGreaterThan(0);
    // The API noticed the outage and served those requests unchecked (RATE_LIMIT_FALLBACK=open).
    expect((await metrics()).value('rate_limit_fail_open_total')).toBeGreaterThan(0);
  }, 60000);

  it('after the outage: the backend is up again and the outage and recovery were logged once each', async () => {
    expect((await metrics()).value('rate_limit_backend_up')).toBe(1);
    await eventually(async () => api.logLines().some((l) => String(l.msg).includes('Redis is back')), 5000);
    const messages = api.logLines().map((l) => String(l.msg));
    expect(messages.filter((m) => m.startsWith('rate limiter: Redis unavailable'))).toHaveLength(1);
    expect(messages.filter((m) => m === 'rate limiter: Redis is back, shared limits resume')).toHaveLength(1);
    expect(api.logLines().filter((l) => l.msg === 'request' && Number(l.status) >= 500).length).toBe(0);
  });
});
