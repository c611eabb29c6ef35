import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { FixturesController } from './support/fixtures.controller';
import { captureAndBook } from './support/leads';
import { ADMIN_KEY, randomKey, uniqueTenant, writeQuotaPlan } from './support/keys';
import { parsePrometheus, Scrape } from './support/prometheus';
import { ALERTS_FILE, allDeployExpressions, analysePromql, isExported } from './support/promql';
import { eventually } from './support/redis';
import { freePort } from './support/redis-server';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * A real Prometheus (Debian's `prometheus` package) scrapes the running API every second and
 * evaluates every dashboard and alert expression and the seed guide's quick checks. Skipped
 * when the binary is not installed, except with CI=true, where that is a failure.
 */

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

class PrivatePrometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static async start(target: string): Promise<PrivatePrometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'co-prometheus-'));
    const port = await freePort();
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [ALERTS_FILE],
      scrape_configs: [{ job_name: 'customer-ops', metrics_path: '/metrics', static_configs: [{ targets: [target] }] }],
    };
    writeFileSync(join(dir, 'prometheus.yml'), toYaml(config));
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const prometheus = new PrivatePrometheus(child, dir, `http://127.0.0.1:${port}`, () => output);
    try {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
          return (await fetch(`${prometheus.url}/-/ready`).catch(() => null))?.status === 200;
        },
        15000,
        100,
      );
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  async query(expr: string): Promise<QueryResponse> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as QueryResponse;
  }

  logs(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

if (!hasPrometheus && process.env.CI === 'true') {
  describe('deploy PromQL on a real Prometheus', () => {
    it('needs the prometheus binary (apt-get install prometheus)', () => {
      throw new Error('CI=true requires the prometheus binary on PATH; .ci/run installs it from Debian');
    });
  });
} else {
  (hasPrometheus ? describe : describe.skip)('deploy PromQL on a real Prometheus', () => {
    let db: TestDatabase;
    let t: TestApp;
    let prometheus: PrivatePrometheus;
    let exported: Scrape;
    const tenant = uniqueTenant('PR');
    const tenantKey = randomKey('pr');
    // A plan with a quota, so the per-tenant quota series exist.
    const plansFile = join(tmpdir(), `co-plans-${randomKey('pr')}.json`);

    beforeAll(async () => {
      db = await createTestDatabase();
      writeQuotaPlan(plansFile);
      t = await startTestApp(db.url, {
        listen: true,
        controllers: [FixturesController],
        env: {
          API_ADMIN_KEY: ADMIN_KEY,
          PLANS_FILE: plansFile,
          [`API_KEY_${tenant}`]: tenantKey,
          REQUIRE_API_KEY: 'true',
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_OPS: '2/minute',
          // The scrape's Host must pass the allow-list, as `api` must in the compose stack.
          ALLOWED_HOSTS: '127.0.0.1,localhost',
        },
      });
      await t.http().get('/health').expect(200);
      await t.http().get('/readyz').expect(200);
      await t.http().get('/no/such/route').expect(404);
      await t.http().get('/__fixtures/boom').expect(500);
      await t.http().get('/ops/tenants').set('x-admin-key', ADMIN_KEY).expect(200);
      await t.http().patch(`/ops/tenants/${tenant}`).set('x-admin-key', ADMIN_KEY).send({ plan: 'metered' });
      await captureAndBook(t, tenantKey);
      for (let i = 0; i < 3; i += 1) await t.http().get('/ops/model-status').set('x-api-key', tenantKey);
      exported = parsePrometheus((await t.http().get('/metrics').expect(200)).text);

      prometheus = await PrivatePrometheus.start(new URL(t.url).host);
      // rate() needs two samples in its window: wait for two successful scrapes.
      await eventually(
        async () => {
          const res = await prometheus.query('sum(count_over_time(up{job="customer-ops"}[1m]))');
          const value = (res.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1];
          return Number(value ?? 0) >= 2;
        },
        15000,
        200,
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
      await t?.close();
      await db?.drop();
    });

    it('scrapes the API successfully (Host allowed, /metrics answering)', async () => {
      const up = await prometheus.query('up{job="customer-ops"}');
      expect(up.status).toBe('success');
      expect(up.data?.result).toEqual([expect.objectContaining({ value: [expect.any(Number), '1'] })]);
    });

    it('loads and evaluates every alert rule of deploy/prometheus/alerts.yml without errors', async () => {
      type Rule = { name: string; health: 'ok' | 'err' | 'unknown'; lastError?: string };
      const rules = async (): Promise<Rule[]> => {
        const res = await fetch(`${prometheus.url}/api/v1/rules?type=alert`);
        const body = (await res.json()) as { data: { groups: Array<{ rules: Rule[] }> } };
        return body.data.groups.flatMap((group) => group.rules);
      };
      expect((await rules()).map((rule) => rule.name).sort()).toEqual([
        'HighErrorRatio',
        'HighLatencyP95',
        'LowConversionRate',
        'ModelStaleOrLowAuc',
        'NoTenants',
        'RateLimiterFailOpen',
        'RedisBackendDown',
        'TenantQuotaAlmostExhausted',
      ]);
      // Rules start as `unknown` and are evaluated every second.
      await eventually(async () => (await rules()).every((rule) => rule.health !== 'unknown'), 5000, 200);
      expect((await rules()).filter((rule) => rule.health !== 'ok')).toEqual([]);
    });

    it.each(allDeployExpressions().map((named) => [`${named.source}: ${named.expr.replace(/\s+/g, ' ')}`, named]))(
      'evaluates %s',
      async (_title, named) => {
        const res = await prometheus.query(named.expr);
        expect({ status: res.status, error: res.error }).toEqual({ status: 'success', error: undefined });

        // Each selector of a metric the API exports must find series in Prometheus.
        const empty: string[] = [];
        for (const selector of analysePromql(named.expr).selectors) {
          if (!selector.metric || !isExported(exported, selector.metric)) continue;
          const series = await prometheus.query(selector.text);
          expect(series.status).toBe('success');
          if ((series.data?.result ?? []).length === 0) empty.push(selector.text);
        }
        expect(empty).toEqual([]);
      },
    );
  });
}
