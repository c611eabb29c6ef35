import { spawnSync } from 'node:child_process';
import { posix } from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { loadConfig } from '@app/config';
import { REPO_ROOT } from './support/api-process';
import {
  composeVariables,
  DockerStage,
  envExampleNames,
  isGitIgnored,
  parseDockerfile,
  readRepoFile,
  readYaml,
  repoPathExists,
} from './support/deploy-files';
import { dashboardExpressions } from './support/promql';

/*
 * No Docker engine runs where the tests do, so the container files are checked for what
 * they must say: the stack the operator guide describes, paths that exist, variables that
 * are documented, and a Dockerfile with every production property.
 */

interface ComposeService {
  image?: string;
  build?: string | { context: string };
  container_name?: string;
  restart?: string;
  ports?: string[];
  env_file?: string | string[];
  environment?: Record<string, string> | string[];
  secrets?: Array<string | { source: string }>;
  volumes?: string[];
  command?: string[] | string;
  healthcheck?: { test: string[] | string };
  depends_on?: string[] | Record<string, { condition?: string }>;
}

interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

const compose = readYaml<Compose>('docker-compose.yml');
const service = (name: string): ComposeService => compose.services[name];

function environmentOf(svc: ComposeService): Record<string, string> {
  if (Array.isArray(svc.environment)) {
    return Object.fromEntries(svc.environment.map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]));
  }
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** `source:target[:mode]` of every volume entry. */
function mounts(svc: ComposeService): Array<{ source: string; target: string; readOnly: boolean }> {
  return (svc.volumes ?? []).map((entry) => {
    const [source, target, mode] = entry.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
}

const OPERATOR_PROVIDED = ['./config', './secrets'];

describe('docker-compose.yml', () => {
  it('runs the stack the operator guide names', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'postgres', 'prometheus', 'redis']);
  });

  it('runs the API as aether-customer-ops from the locally built image on port 8000', () => {
    const api = service('api');
    expect(api.container_name).toBe('aether-customer-ops');
    expect(api.image).toBe('aether/customer-ops:dev');
    expect(api.build === '.' || (typeof api.build === 'object' && api.build.context === '.')).toBe(true);
    expect(api.ports).toEqual(['8000:8000']);
    expect([api.env_file].flat()).toEqual(['.env']);
    expect(api.restart).toBe('unless-stopped');
    expect(api.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('points the API at the stack Postgres and Redis, the mounted keys file and the admin key secret', () => {
    const env = environmentOf(service('api'));
    expect(env.NODE_ENV).toBe('production');
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.PORT).toBe('8000');
    expect(env.DATABASE_URL).toMatch(
      /^postgres:\/\/customer_ops:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/customer_ops$/,
    );
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.API_KEYS_FILE).toBe('/app/config/api-keys.env');
    expect(mounts(service('api'))).toContainEqual({ source: './config', target: '/app/config', readOnly: true });
    expect(env.API_ADMIN_KEY_FILE).toBe('/run/secrets/api_admin_key');
    expect(service('api').secrets).toEqual(['api_admin_key']);
    expect(compose.secrets).toEqual({ api_admin_key: { file: './secrets/api_admin_key' } });
    // The admin key comes only from the secret: an inline one from .env is blanked out.
    expect(env.API_ADMIN_KEY).toBe('');
  });

  it('sets HOST=0.0.0.0 itself, since the default outside production is loopback', () => {
    // The API service reads .env (a copy of .env.example) under its own environment.
    const dotEnv = parseDotEnv(readRepoFile('.env.example'));
    const env = environmentOf(service('api'));
    expect(loadConfig({ ...dotEnv, NODE_ENV: env.NODE_ENV, HOST: env.HOST }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...dotEnv, NODE_ENV: 'development', HOST: env.HOST }).host).toBe('0.0.0.0');
  });

  it('.env.example leaves HOST at its default, so a development .env copied from it stays on loopback', () => {
    const dotEnv = parseDotEnv(readRepoFile('.env.example'));
    expect(dotEnv.HOST ?? '').toBe('');
    expect(loadConfig(dotEnv).host).toBe('127.0.0.1');
  });

  it('admits the Host names Prometheus and the healthcheck use', () => {
    const hosts = environmentOf(service('api'))
      .ALLOWED_HOSTS.replace(/\$\{[^}]*\}/g, '')
      .split(',')
      .filter(Boolean);
    expect(hosts).toEqual(expect.arrayContaining(['api', 'localhost', '127.0.0.1']));
    const prometheus = readYaml<{ scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }>(
      'deploy/prometheus/prometheus.yml',
    );
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    for (const target of targets) expect(hosts).toContain(target.split(':')[0]);
  });

  it('keeps Postgres, Redis, Prometheus and Grafana data in named volumes', () => {
    const named = Object.keys(compose.volumes ?? {});
    const dataDir: Record<string, string> = {
      postgres: '/var/lib/postgresql/data',
      redis: '/data',
      prometheus: '/prometheus',
      grafana: '/var/lib/grafana',
    };
    for (const [name, target] of Object.entries(dataDir)) {
      const mount = mounts(service(name)).find((m) => m.target === target);
      expect({ service: name, volume: mount?.source && named.includes(mount.source) }).toEqual({
        service: name,
        volume: true,
      });
    }
    expect(service('postgres').image).toBe('postgres:16');
    expect(service('redis').image).toBe('redis:7');
    expect(service('redis').command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
  });

  it('gives every backing service a healthcheck and a restart policy', () => {
    expect(String(service('postgres').healthcheck?.test)).toContain('pg_isready');
    expect([service('redis').healthcheck?.test].flat()).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(String(service('prometheus').healthcheck?.test)).toContain('/-/ready');
    expect(String(service('grafana').healthcheck?.test)).toContain('/api/health');
    // The API's healthcheck is the image's HEALTHCHECK (see the Dockerfile tests).
    for (const [name, svc] of Object.entries(compose.services)) {
      expect({ name, restart: svc.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('mounts only repository paths that exist, besides the operator-provided config and secrets', () => {
    const hostPaths = [
      ...Object.values(compose.services).flatMap((svc) => mounts(svc).map((m) => m.source)),
      ...Object.values(compose.secrets ?? {}).map((s) => s.file ?? ''),
    ].filter((source) => source.startsWith('.'));
    expect(hostPaths.length).toBeGreaterThanOrEqual(5);
    const missing = hostPaths.filter(
      (path) => !OPERATOR_PROVIDED.some((dir) => path === dir || path.startsWith(`${dir}/`)) && !repoPathExists(path),
    );
    expect(missing).toEqual([]);
  });

  it('documents the operator-provided files at the top of the compose file', () => {
    const header = readRepoFile('docker-compose.yml')
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .join('\n');
    for (const path of ['.env', 'secrets/api_admin_key', 'config/api-keys.env', 'POSTGRES_PASSWORD', 'uid 1000']) {
      expect(header).toContain(path);
    }
  });

  it('keeps operator-provided secrets out of git and out of the image', () => {
    for (const path of ['.env', 'config/api-keys.env', 'secrets/api_admin_key', 'deploy/prometheus/metrics-token']) {
      expect({ path, ignored: isGitIgnored(path) }).toEqual({ path, ignored: true });
    }
    const dockerignore = readRepoFile('.dockerignore').split('\n');
    for (const entry of ['.env', 'config', 'secrets', 'node_modules', 'dist', '.git']) {
      expect(dockerignore).toContain(entry);
    }
  });

  it('uses only variables documented in .env.example (or *_FILE variants of documented secrets)', () => {
    const documented = envExampleNames(readRepoFile('.env.example'));
    const used = [...composeVariables(compose), ...Object.keys(environmentOf(service('api')))];
    const undocumented = [...new Set(used)].filter((name) => {
      const base = name.replace(/_FILE$/, '');
      return !documented.has(name) && !(name.endsWith('_FILE') && documented.has(base));
    });
    expect(undocumented).toEqual([]);
    // Compose refuses to start without the passwords rather than running with empty ones.
    expect(readRepoFile('docker-compose.yml')).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
    expect(readRepoFile('docker-compose.yml')).toMatch(/\$\{GRAFANA_ADMIN_PASSWORD:\?/);
  });
});

describe('Prometheus and Grafana provisioning', () => {
  const prometheusMount = () => mounts(service('prometheus')).find((m) => m.source === './deploy/prometheus');

  it('mounts deploy/prometheus as the config directory and scrapes api:8000/metrics every 15 s', () => {
    expect(prometheusMount()).toEqual({ source: './deploy/prometheus', target: '/etc/prometheus', readOnly: true });
    expect(service('prometheus').command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const config = readYaml<{
      global: { scrape_interval: string };
      rule_files: string[];
      scrape_configs: Array<{
        job_name: string;
        metrics_path?: string;
        scrape_interval?: string;
        static_configs: Array<{ targets: string[] }>;
      }>;
    }>('deploy/prometheus/prometheus.yml');
    expect(config.global.scrape_interval).toBe('15s');
    const job = config.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.includes('api:8000')));
    expect(job).toMatchObject({ job_name: 'customer-ops', metrics_path: '/metrics' });
    expect(job?.scrape_interval ?? config.global.scrape_interval).toBe('15s');
    // Relative rule files resolve next to the config, in the container and for promtool alike.
    expect(config.rule_files).toEqual(['alerts.yml']);
    for (const file of config.rule_files) expect(repoPathExists(posix.join('deploy/prometheus', file))).toBe(true);
  });

  it('defines the seven alerts with a duration, a severity and a summary', () => {
    const rules = readYaml<{
      groups: Array<{
        rules: Array<{
          alert: string;
          expr: string;
          for?: string;
          labels?: { severity?: string };
          annotations?: object;
        }>;
      }>;
    }>('deploy/prometheus/alerts.yml').groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'HighErrorRatio',
      'HighLatencyP95',
      'LowConversionRate',
      'ModelStaleOrLowAuc',
      'NoTenants',
      'RateLimiterFailOpen',
      'RedisBackendDown',
      'TenantQuotaAlmostExhausted',
    ]);
    for (const rule of rules) {
      expect({ alert: rule.alert, for: rule.for, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        for: expect.stringMatching(/^\d+[smh]$/),
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(rule.annotations).toHaveProperty('summary');
    }
    const errorRatio = rules.find((r) => r.alert === 'HighErrorRatio');
    expect(errorRatio?.expr).toContain('http_requests_total{status=~"5.."}');
    expect(errorRatio?.expr).toMatch(/> 0\.05$/);
    expect(errorRatio?.for).toBe('5m');
  });

  it('passes promtool when it is installed', () => {
    const promtool = spawnSync('promtool', ['--version']);
    if (promtool.status !== 0) {
      expect(process.env.CI).not.toBe('true');
      return;
    }
    for (const args of [
      ['check', 'rules', 'deploy/prometheus/alerts.yml'],
      ['check', 'config', 'deploy/prometheus/prometheus.yml'],
    ]) {
      const run = spawnSync('promtool', args, { cwd: REPO_ROOT, encoding: 'utf8' });
      expect({ args, status: run.status, stderr: run.stderr }).toEqual({ args, status: 0, stderr: '' });
    }
  });

  it('provisions the Prometheus datasource and the dashboards folder Grafana mounts', () => {
    const grafana = service('grafana');
    const env = environmentOf(grafana);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD/);
    expect(mounts(grafana)).toEqual(
      expect.arrayContaining([
        { source: './deploy/grafana/provisioning', target: '/etc/grafana/provisioning', readOnly: true },
        { source: './deploy/grafana/dashboards', target: '/etc/grafana/dashboards', readOnly: true },
      ]),
    );
    const datasources = readYaml<{ datasources: Array<{ uid: string; type: string; url: string }> }>(
      'deploy/grafana/provisioning/datasources/prometheus.yml',
    ).datasources;
    expect(datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>(
      'deploy/grafana/provisioning/dashboards/dashboards.yml',
    ).providers;
    expect(providers).toEqual([
      expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: '/etc/grafana/dashboards' }) }),
    ]);
  });

  it('builds the dashboard from the required panels, all on the provisioned datasource', () => {
    interface Panel {
      type: string;
      title: string;
      datasource?: { uid: string };
      targets?: Array<{ datasource?: { uid: string } }>;
      fieldConfig?: { defaults?: { thresholds?: { steps: unknown[] } } };
    }
    const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/customer-ops.json')) as {
      uid: string;
      panels: Panel[];
    };
    expect(dashboard.uid).toBe('customer-ops');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    const byTitle = new Map(panels.map((p) => [p.title, p]));
    for (const title of [
      'Tenants',
      'Request rate by endpoint',
      '5xx error ratio',
      'Latency p50 / p95 / p99',
      'Rate limiting: 429s and fail-open',
      'Lead enrichment rate by intent',
      'Outcomes by type',
      'Conversion rate',
      'Model AUC',
      'Model age',
    ]) {
      expect({ title, present: byTitle.has(title) }).toEqual({ title, present: true });
    }
    expect(byTitle.get('Tenants')?.type).toBe('stat');
    expect(byTitle.get('Tenants')?.fieldConfig?.defaults?.thresholds?.steps.length).toBeGreaterThanOrEqual(2);
    for (const panel of panels) {
      const uids = [panel.datasource?.uid, ...(panel.targets ?? []).map((t) => t.datasource?.uid)];
      expect({ panel: panel.title, uids: [...new Set(uids)] }).toEqual({ panel: panel.title, uids: ['prometheus'] });
    }
    const latency = dashboardExpressions().filter((e) => e.source.includes('Latency p50'));
    expect(latency.map((e) => /histogram_quantile\((0\.\d+)/.exec(e.expr)?.[1])).toEqual(['0.5', '0.95', '0.99']);
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile(readRepoFile('Dockerfile'));
  const runtime = stages[stages.length - 1];
  const args = (stage: DockerStage, keyword: string) =>
    stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
  const allRuns = stages.flatMap((stage) => args(stage, 'RUN')).join('\n');
  const stageNamed = (name: string) => stages.find((s) => s.name === name);

  it('is multi-stage on node:24-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const names = new Set(stages.map((s) => s.name));
    for (const stage of stages) {
      expect(stage.from === 'node:24-bookworm-slim' || names.has(stage.from)).toBe(true);
    }
    expect(runtime.from).toBe('node:24-bookworm-slim');
  });

  it('compiles with a toolchain, builds with dev dependencies and ships production dependencies only', () => {
    expect(allRuns).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(allRuns).toMatch(/npm ci(?! --omit)/);
    expect(allRuns).toContain('npm run build');
    expect(allRuns).toContain('npm ci --omit=dev');
    const copies = args(runtime, 'COPY');
    const fromStage = (stage: string | undefined) =>
      copies.filter((c) => stage && c.startsWith(`--from=${stage} `)).map((c) => c.split(/\s+/).slice(1));
    const prodDeps = stages.find((s) => args(s, 'RUN').some((r) => r.includes('npm ci --omit=dev')));
    const build = stages.find((s) => args(s, 'RUN').some((r) => r.includes('npm run build')));
    expect(fromStage(prodDeps?.name ?? undefined)).toContainEqual(['/app/node_modules', './node_modules']);
    expect(fromStage(build?.name ?? undefined)).toContainEqual(['/app/dist', './dist']);
    expect(fromStage(build?.name ?? undefined).some(([from]) => from.includes('node_modules'))).toBe(false);
    expect(args(runtime, 'RUN').join('\n')).not.toMatch(/g\+\+|python3|npm ci/);
    expect(stageNamed('build')).toBeDefined();
  });

  it('runs as a non-root user, on port 8000, in production mode', () => {
    const user = args(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(args(runtime, 'EXPOSE')).toEqual(['8000']);
    const env = args(runtime, 'ENV').join(' ');
    for (const setting of ['PORT=8000', 'HOST=0.0.0.0', 'NODE_ENV=production']) expect(env).toContain(setting);
  });

  it('listens on every interface of the container, whatever the NODE_ENV', () => {
    const env = Object.fromEntries(
      args(runtime, 'ENV')
        .flatMap((line) => line.split(/\s+/))
        .map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(loadConfig(env).host).toBe('0.0.0.0');
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).host).toBe('0.0.0.0');
  });

  it('checks /health with node and runs under tini so SIGTERM reaches the app', () => {
    const [healthcheck] = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*http:\/\/127\.0\.0\.1:.*\/health/);
    expect(args(runtime, 'RUN').join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
    expect(args(runtime, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
  });

  it('starts the same compiled entry point as npm start', () => {
    const start = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts.start;
    const cmd = JSON.parse(args(runtime, 'CMD')[0]) as string[];
    expect(cmd.join(' ')).toBe(start);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = new Set(
      readRepoFile('.dockerignore')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
    const sources = stages
      .flatMap((stage) => args(stage, 'COPY'))
      .filter((c) => !c.startsWith('--from='))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const source of sources) {
      expect({ source, exists: repoPathExists(source), ignored: ignored.has(source) }).toEqual({
        source,
        exists: true,
        ignored: false,
      });
    }
  });
});

describe('.github/workflows/ci.yml', () => {
  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }
  interface Job {
    needs?: string | string[];
    services?: Record<string, { image: string }>;
    env?: Record<string, string>;
    steps: Step[];
  }
  const workflow = readYaml<{ on: { push: { tags: string[] } }; jobs: Record<string, Job> }>(
    '.github/workflows/ci.yml',
  );
  const jobs = Object.values(workflow.jobs);
  const testJob = jobs.find((job) => job.steps.some((s) => s.run?.includes('.ci/run'))) as Job;
  const imageJob = jobs.find((job) => job.steps.some((s) => s.run?.includes('docker build'))) as Job;
  const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

  it('runs .ci/run, the same script as every other CI run, with CI=true and what it needs installed', () => {
    expect(testJob).toBeDefined();
    expect(testJob.env).toMatchObject({ CI: 'true' });
    expect(testJob.steps.map((s) => s.run?.trim()).filter(Boolean)).toContain('bash .ci/run');
    expect(testJob.steps.map((s) => s.uses).filter(Boolean)).toEqual(
      expect.arrayContaining(['actions/checkout@v4', 'actions/setup-node@v4']),
    );
    // Node.js 24 everywhere: the workflow reads .nvmrc, which says 24, as package.json's engines do.
    expect(testJob.steps.find((s) => s.uses === 'actions/setup-node@v4')?.with).toMatchObject({
      'node-version-file': '.nvmrc',
    });
    expect(readRepoFile('.nvmrc').trim()).toBe('24');
    expect(readRepoFile('.node-version').trim()).toBe('24');
    expect((JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node).toBe('>=24');
    const script = runs(testJob);
    // What .ci/run expects on the machine: Postgres on 5432 (a service with trust auth, as
    // .ci/run's default TEST_DATABASE_URL has no password), and the packages it would install.
    expect(testJob.services?.postgres.image).toMatch(/^postgres:/);
    expect(script).toMatch(/apt-get install[\s\S]*redis-server/);
    expect(script).toMatch(/apt-get install[\s\S]*prometheus/);
    expect(script.indexOf('apt-get install')).toBeLessThan(script.indexOf('.ci/run'));
    // Nothing the script already does is repeated beside it.
    for (const command of ['npm ci', 'npm run lint', 'npm test']) expect(script).not.toContain(command);
  });

  it('builds the image after the tests and pushes aether/customer-ops:<version> on v* tags only', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(imageJob).toBeDefined();
    expect([imageJob.needs].flat()).toContain(Object.keys(workflow.jobs).find((k) => workflow.jobs[k] === testJob));
    expect(runs(imageJob)).toContain('docker build -t aether/customer-ops:dev .');
    const login = imageJob.steps.find((s) => s.run?.includes('docker login'));
    const push = imageJob.steps.find((s) => s.run?.includes('docker push'));
    for (const step of [login, push]) expect(step?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(login?.env).toEqual({
      REGISTRY: '${{ secrets.REGISTRY }}',
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    expect(login?.run).toContain('--password-stdin');
    expect(push?.run).toContain('version="${GITHUB_REF_NAME#v}"');
    expect(push?.run).toContain('aether/customer-ops:$version');
  });
});

describe('.ci/run', () => {
  it('installs Prometheus when promtool is missing and checks the config and rules before installing', () => {
    const script = readRepoFile('.ci/run');
    const at = (text: string) => script.indexOf(text);
    expect(at('command -v promtool')).toBeGreaterThan(0);
    expect(script).toMatch(/apt-get install[^\n]*prometheus/);
    expect(at('promtool check rules deploy/prometheus/alerts.yml')).toBeGreaterThan(at('command -v promtool'));
    expect(at('promtool check config deploy/prometheus/prometheus.yml')).toBeGreaterThan(0);
    expect(at('npm ci')).toBeGreaterThan(at('promtool check config'));
  });
});
