import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureAndBook } from './support/leads';
import { ADMIN_KEY, randomKey, uniqueTenant, writeQuotaPlan } from './support/keys';
import { parsePrometheus, Scrape } from './support/prometheus';
import {
  allDeployExpressions,
  analysePromql,
  dashboardExpressions,
  missingFromScrape,
  ruleExpressions,
  SEED_QUICK_CHECKS,
} from './support/promql';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * The guard against dashboards and alerts drifting from the code: every metric name and
 * label used by deploy/grafana/dashboards/*.json, deploy/prometheus/alerts.yml and the seed
 * guide's quick checks must be exported by the running API once its routes have been used.
 */

describe('PromQL analysis of the deploy files', () => {
  it('finds the metrics, matchers and grouping labels of an expression', () => {
    const analysis = analysePromql(
      'sum by (endpoint) (rate(http_requests_total{status=~"5..", method!="GET"}[5m])) / sum(rate(http_requests_total[5m]))',
    );
    expect(analysis.metrics).toEqual(['http_requests_total']);
    expect(analysis.selectors.map((s) => s.text)).toEqual([
      'http_requests_total{status=~"5..", method!="GET"}',
      'http_requests_total',
    ]);
    expect(analysis.selectors[0].matchers).toEqual([
      { label: 'status', op: '=~', value: '5..' },
      { label: 'method', op: '!=', value: 'GET' },
    ]);
    expect(analysis.groupings).toEqual([{ clause: 'by', labels: ['endpoint'], metrics: ['http_requests_total'] }]);
  });

  it('skips functions, keywords, numbers and durations, and reads trailing by clauses', () => {
    const analysis = analysePromql(
      '(time() - max(lead_model_trained_timestamp_seconds) > 7 * 86400) or (histogram_quantile(0.95, ' +
        'sum(rate(lead_pred_latency_seconds_bucket[5m] offset 1m)) by (le)) > 1e+3 and on() vector(1))',
    );
    expect(analysis.metrics).toEqual(['lead_model_trained_timestamp_seconds', 'lead_pred_latency_seconds_bucket']);
    expect(analysis.groupings).toEqual([
      { clause: 'by', labels: ['le'], metrics: ['lead_pred_latency_seconds_bucket'] },
    ]);
  });

  it('reports unexported metrics and labels no sample carries', () => {
    const scrape = parsePrometheus(
      [
        '# TYPE http_requests_total counter',
        'http_requests_total{method="GET",endpoint="/health",status="200"} 3',
        '# TYPE lead_outcome_total counter',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{le="0.1",endpoint="/health"} 1',
      ].join('\n'),
    );
    const check = (expr: string) => missingFromScrape(scrape, { source: 'x', expr });
    expect(check('sum by (endpoint) (rate(http_requests_total{status="500"}[5m]))')).toEqual([]);
    expect(
      check('histogram_quantile(0.9, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket[1m])))'),
    ).toEqual([]);
    expect(check('sum by (tenant) (rate(http_requests_total{route="/x"}[5m]))')).toEqual([
      'x: http_requests_total has no samples with label route',
      'x: by (tenant) but no sample of http_requests_total has it',
    ]);
    expect(check('lead_conversion_rate')).toEqual(['x: metric lead_conversion_rate is not exported']);
    expect(check('sum by (outcome) (increase(lead_outcome_total[1h]))')).toEqual([
      'x: by (outcome) but no sample of lead_outcome_total has it',
    ]);
  });

  it('reads every panel target and every alert rule', () => {
    const dashboard = dashboardExpressions();
    expect(dashboard.length).toBeGreaterThanOrEqual(12);
    for (const { expr } of dashboard) expect(analysePromql(expr).metrics.length).toBeGreaterThan(0);
    expect(ruleExpressions().map((r) => r.source)).toEqual([
      'alert NoTenants',
      'alert HighErrorRatio',
      'alert HighLatencyP95',
      'alert RateLimiterFailOpen',
      'alert TenantQuotaAlmostExhausted',
      'alert RedisBackendDown',
      'alert LowConversionRate',
      'alert ModelStaleOrLowAuc',
    ]);
    expect(SEED_QUICK_CHECKS).toHaveLength(4);
  });
});

describe('deploy PromQL against the metrics the API exports', () => {
  let db: TestDatabase;
  let t: TestApp;
  let scrape: Scrape;
  const tenant = uniqueTenant('PQ');
  // A plan with a quota, so the per-tenant quota series exist.
  const plansFile = join(tmpdir(), `co-plans-${randomKey('pq')}.json`);
  const tenantKey = randomKey('pq');

  beforeAll(async () => {
    db = await createTestDatabase();
    writeQuotaPlan(plansFile);
    t = await startTestApp(db.url, {
      env: {
        API_ADMIN_KEY: ADMIN_KEY,
        PLANS_FILE: plansFile,
        [`API_KEY_${tenant}`]: tenantKey,
        REQUIRE_API_KEY: 'true',
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '3/minute',
      },
    });

    // Every kind of route and answer the dashboards look at.
    await t.http().get('/health').expect(200);
    await t.http().get('/readyz').expect(200);
    await t.http().get('/no/such/route').expect(404);
    await t.http().get('/ops/model-status').set('x-api-key', 'not-a-real-key').expect(401);
    await t.http().get('/ops/tenants').set('x-admin-key', ADMIN_KEY).expect(200);
    await t.http().patch(`/ops/tenants/${tenant}`).set('x-admin-key', ADMIN_KEY).send({ plan: 'metered' }).expect(200);
    await captureAndBook(t, tenantKey);
    await t.http().get('/v1/leads').set('x-api-key', tenantKey);
    // The ops budget is 3/minute: the fourth call is a 429.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await t.http().get('/ops/model-status').set('x-api-key', tenantKey)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const res = await t.http().get('/metrics').expect(200);
    scrape = parsePrometheus(res.text);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it.each(allDeployExpressions().map((named) => [`${named.source}: ${named.expr.replace(/\s+/g, ' ')}`, named]))(
    'every metric and label is exported: %s',
    (_source, named) => {
      expect(missingFromScrape(scrape, named)).toEqual([]);
    },
  );
});
