import { createTestDatabase, TestDatabase } from './support/test-database';
import { FixturesController } from './support/fixtures.controller';
import { parsePrometheus, Scrape } from './support/prometheus';
import { startTestApp, TestApp } from './support/test-app';

/*
 * prom-client keeps one global registry per process, so every app booted by this suite
 * reports into the same series: assertions compare a scrape after with a scrape before.
 */
describe('GET /metrics', () => {
  let db: TestDatabase;
  let t: TestApp;

  const scrape = async (): Promise<Scrape> => {
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheus(res.text);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      controllers: [FixturesController],
      env: { ALLOWED_HOSTS: '127.0.0.1,localhost' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('exposes default process/Node metrics and the seed metric names with their types', async () => {
    const s = await scrape();
    expect(s.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(s.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(s.types.get('api_tenants_count')).toBe('gauge');
    expect(s.types.get('http_requests_total')).toBe('counter');
    expect(s.types.get('http_request_duration_seconds')).toBe('histogram');
  });

  it('exports the default process and Node metrics except nodejs_version_info (METRICS_DEFAULT=false)', async () => {
    const s = await scrape();
    for (const name of [
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_open_fds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles_total',
      'nodejs_gc_duration_seconds',
    ]) {
      expect({ name, exported: s.types.has(name) }).toEqual({ name, exported: true });
    }
    expect(s.types.has('nodejs_version_info')).toBe(false);
    expect(s.samples.some((x) => x.labels.version === process.version)).toBe(false);
  });

  it('counts requests by method, route template and status, errors included', async () => {
    const before = await scrape();
    await t.http().get('/health');
    await t.http().get('/health');
    await t.http().get('/v1/nothing-here/42?token=abc');
    await t.http().get('/__fixtures/boom');
    await t.http().post('/__fixtures/echo').send({ name: 'x' });
    await t.http().get('/health').set('Host', 'evil.example');
    const after = await scrape();

    const delta = (labels: Record<string, string>) =>
      after.value('http_requests_total', labels) - before.value('http_requests_total', labels);
    expect(delta({ method: 'GET', endpoint: '/health', status: '200' })).toBe(2);
    expect(delta({ method: 'GET', endpoint: 'unmatched', status: '404' })).toBe(1);
    expect(delta({ method: 'GET', endpoint: '/__fixtures/boom', status: '500' })).toBe(1);
    expect(delta({ method: 'POST', endpoint: '/__fixtures/echo', status: '400' })).toBe(1);
    expect(delta({ method: 'GET', endpoint: '/health', status: '400' })).toBe(1);

    const countDelta = (labels: Record<string, string>) =>
      after.value('http_request_duration_seconds_count', labels) -
      before.value('http_request_duration_seconds_count', labels);
    expect(countDelta({ method: 'GET', endpoint: '/health', status: '200' })).toBe(2);
    expect(countDelta({ endpoint: '/__fixtures/boom', status: '500' })).toBe(1);
  });

  it('selects 5xx with the status=~"5.." matcher and never labels raw paths', async () => {
    await t.http().get('/__fixtures/boom');
    const s = await scrape();
    const fiveXx = s.samples.filter((x) => x.name === 'http_requests_total' && /^5..$/.test(x.labels.status));
    expect(fiveXx.length).toBeGreaterThan(0);
    for (const sample of s.samples.filter((x) => x.name.startsWith('http_request'))) {
      expect(sample.labels.endpoint).not.toMatch(/\?|\/42|token/);
    }
  });

  it('uses histogram buckets from 5 ms to 10 s', async () => {
    const s = await scrape();
    const les = new Set(
      s.samples.filter((x) => x.name === 'http_request_duration_seconds_bucket').map((x) => x.labels.le),
    );
    expect([...les]).toEqual(expect.arrayContaining(['0.005', '0.05', '0.5', '1', '10', '+Inf']));
  });

  it('1,000 distinct unknown paths add no label values beyond `unmatched`', async () => {
    await t.http().get('/warm-up-unknown');
    const before = (await scrape()).labelSets('http_requests_total');
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => t.http().get(`/probe/${i + j}/x-${Math.random().toString(36).slice(2)}`)),
      );
    }
    const after = await scrape();
    const added = [...after.labelSets('http_requests_total')].filter((set) => !before.has(set));
    // Only the scrape route itself may appear for the first time.
    expect(added.filter((set) => !set.includes('endpoint=/metrics'))).toEqual([]);
  });

  it('is never behind tenant auth and counts itself under /metrics', async () => {
    await t.http().get('/metrics');
    const s = await scrape();
    expect(s.value('http_requests_total', { endpoint: '/metrics', status: '200' })).toBeGreaterThan(0);
  });
});

describe('GET /metrics with METRICS_DEFAULT=true', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { METRICS_DEFAULT: 'true' } });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('exports every prom-client default metric, nodejs_version_info included', async () => {
    const s = parsePrometheus((await t.http().get('/metrics')).text);
    expect(s.types.get('nodejs_version_info')).toBe('gauge');
    expect(s.value('nodejs_version_info', { version: process.version })).toBe(1);
    expect(s.types.get('process_cpu_user_seconds_total')).toBe('counter');
  });
});

describe('/metrics in production', () => {
  const openWarnings = (t: TestApp) =>
    t.logs.lines().filter((l) => l.level === 'warn' && String(l.msg).includes('METRICS_TOKEN'));
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('without METRICS_TOKEN: one start-up warning that /metrics is open', async () => {
    const t = await startTestApp(db.url, { env: { NODE_ENV: 'production' } });
    try {
      expect(openWarnings(t)).toHaveLength(1);
      expect(String(openWarnings(t)[0].msg)).toMatch(/^GET \/metrics is open/);
      expect((await t.http().get('/metrics')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('with METRICS_TOKEN, or outside production: no warning', async () => {
    const envs: Array<Record<string, string>> = [
      { NODE_ENV: 'production', METRICS_TOKEN: 'prod-scrape-token' },
      { NODE_ENV: 'development' },
    ];
    for (const env of envs) {
      const t = await startTestApp(db.url, { env });
      try {
        expect({ env: env.NODE_ENV, warnings: openWarnings(t) }).toEqual({ env: env.NODE_ENV, warnings: [] });
      } finally {
        await t.close();
      }
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { METRICS_TOKEN: 's3cret-scrape-token' } });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('401 without a token, in the error envelope', async () => {
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('401 with a wrong token or scheme', async () => {
    expect((await t.http().get('/metrics').set('Authorization', 'Bearer nope')).status).toBe(401);
    expect((await t.http().get('/metrics').set('Authorization', 's3cret-scrape-token')).status).toBe(401);
    expect((await t.http().get('/metrics').set('Authorization', 'Basic s3cret-scrape-token')).status).toBe(401);
  });

  it('200 with the right bearer token', async () => {
    const res = await t.http().get('/metrics').set('Authorization', 'Bearer s3cret-scrape-token');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_requests_total');
  });

  it('leaves other routes open', async () => {
    expect((await t.http().get('/health')).status).toBe(200);
  });
});
