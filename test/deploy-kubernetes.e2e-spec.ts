import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ALERTS_PATH, PROMETHEUS_RULE_PATH, renderPrometheusRule } from '../scripts/generate-prometheus-rule';
import { REPO_ROOT } from './support/api-process';
import { envExampleNames, parseDockerfile, readRepoFile, readYaml, repoPathExists } from './support/deploy-files';
import {
  alertGroups,
  containerConfig,
  IMAGE_REPOSITORY,
  K8sObject,
  kubectlAvailable,
  Manifests,
  MIGRATION_COMMAND,
  objectName,
  Overlay,
  OVERLAYS,
  parseManifests,
  renderOverlay,
  RULES,
  RuleContext,
  schemaProblems,
} from './support/kubernetes';

/*
 * The Kubernetes manifests (deploy/kubernetes), rendered offline with `kubectl kustomize`
 * as `kubectl apply -k` would send them, validated against the Kubernetes API schemas
 * (kubernetes-models) and held to the deployment rules: probes, shutdown arithmetic, a
 * locked-down container, secrets only by reference, pinned images, migrations in a Job,
 * zero-downtime rollouts, and Prometheus objects from the one alerts file. Each rule is also
 * run on a broken copy, to show that it fails. Skipped without kubectl, except with CI=true.
 */

const hasKubectl = kubectlAvailable();
const describeWithKubectl = hasKubectl ? describe : describe.skip;

const packageJson = JSON.parse(readRepoFile('package.json')) as { version: string; scripts: Record<string, string> };
const context: RuleContext = {
  imageTag: packageJson.version,
  documentedVariables: envExampleNames(readRepoFile('.env.example')),
  alertGroups: alertGroups(readRepoFile(ALERTS_PATH)),
};

const NAMESPACES: Record<Overlay, string> = { dev: 'customer-ops-dev', prod: 'customer-ops' };
const SHARED_KINDS = [
  'ConfigMap',
  'Deployment',
  'Job',
  'NetworkPolicy',
  'PrometheusRule',
  'Service',
  'ServiceAccount',
  'ServiceMonitor',
];

const renders = new Map<Overlay, K8sObject[]>();
function rendered(overlay: Overlay): K8sObject[] {
  if (!renders.has(overlay)) renders.set(overlay, renderOverlay(overlay));
  return renders.get(overlay) as K8sObject[];
}
const manifests = (overlay: Overlay) => new Manifests(rendered(overlay));

/** A deep copy of an overlay's objects, changed by `mutate`. */
function broken(mutate: (m: Manifests) => void, overlay: Overlay = 'prod'): Manifests {
  const copy = new Manifests(structuredClone(rendered(overlay)));
  mutate(copy);
  return copy;
}

const one = <T>(m: Manifests, kind: string) => m.ofKind<T>(kind)[0];
const apiEnv = (m: Manifests) => m.apiContainer.env ?? [];
const configData = (m: Manifests) => m.ofKind<{ data: Record<string, string> }>('ConfigMap')[0].data;
const jobContainer = (m: Manifests) => m.migrationJob!.spec!.template.spec!.containers[0];

describe('kubectl', () => {
  it('is installed where the manifests are checked (required with CI=true)', () => {
    if (!hasKubectl) expect(process.env.CI).not.toBe('true');
  });
});

describeWithKubectl.each(OVERLAYS)('deploy/kubernetes/overlays/%s', (overlay) => {
  it('renders offline into the API objects, all in the overlay namespace', () => {
    const kinds = rendered(overlay).map((o) => o.kind);
    const expected =
      overlay === 'prod' ? [...SHARED_KINDS, 'HorizontalPodAutoscaler', 'PodDisruptionBudget'] : SHARED_KINDS;
    expect([...kinds].sort()).toEqual([...expected].sort());
    for (const object of rendered(overlay)) {
      expect({ object: objectName(object), namespace: object.metadata.namespace }).toEqual({
        object: objectName(object),
        namespace: NAMESPACES[overlay],
      });
    }
  });

  it('validates against the Kubernetes API schemas (types, required and unknown fields)', () => {
    expect(RULES.schemas(manifests(overlay), context)).toEqual([]);
  });

  it.each(Object.keys(RULES).filter((name) => name !== 'schemas'))('follows the %s rule', (rule) => {
    expect(RULES[rule](manifests(overlay), context)).toEqual([]);
  });

  it('starts the API with the configuration the service parses: production, no migrations, secrets by reference', () => {
    const m = manifests(overlay);
    const config = containerConfig(m, m.apiContainer);
    expect(config.isProduction).toBe(true);
    expect(config.database.migrationsRun).toBe(false);
    expect(config.port).toBe(8000);
    expect(config.adminKey).not.toBeNull();
    expect(config.redisUrl).toMatch(/^rediss?:\/\//);
    expect(config.metricsToken).not.toBeNull();
    expect(config.plansFile).toBe('/app/plans/plans.json');
    // The plans come from an optional ConfigMap mounted as a folder, so its updates reach the pod.
    const mount = m.apiContainer.volumeMounts?.find((v) => config.plansFile.startsWith(`${v.mountPath}/`));
    expect(mount).toMatchObject({ mountPath: '/app/plans', readOnly: true });
    expect(mount?.subPath).toBeUndefined();
    const volume = m.deployment.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.configMap).toEqual({ name: 'customer-ops-plans', optional: true });
  });
});

/** Every Secret key the objects reference: env, volumes and the ServiceMonitor's token. */
function secretReferences(m: Manifests): string[] {
  const refs = new Set<string>();
  for (const owner of m.podOwners) {
    for (const container of owner.spec.containers) {
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) refs.add(`${ref.name}/${ref.key}`);
      }
    }
    for (const volume of owner.spec.volumes ?? []) {
      for (const item of volume.secret?.items ?? []) refs.add(`${volume.secret?.secretName}/${item.key}`);
    }
  }
  for (const monitor of m.ofKind<{
    spec: { endpoints: Array<{ authorization?: { credentials?: { name: string; key: string } } }> };
  }>('ServiceMonitor')) {
    for (const endpoint of monitor.spec.endpoints) {
      const credentials = endpoint.authorization?.credentials;
      if (credentials) refs.add(`${credentials.name}/${credentials.key}`);
    }
  }
  return [...refs].sort();
}

describeWithKubectl('what the operator creates and applies, as docs/DEPLOYMENT.md says', () => {
  const doc = readRepoFile('docs/DEPLOYMENT.md');

  it('references one Secret, customer-ops, whose every key the create command of the guide sets', () => {
    for (const overlay of OVERLAYS) {
      expect(secretReferences(manifests(overlay))).toEqual([
        'customer-ops/api-admin-key',
        'customer-ops/database-url',
        'customer-ops/metrics-token',
        'customer-ops/redis-url',
      ]);
    }
    const command = /kubectl[^\n]*create secret generic customer-ops\b(?:[^\n]*\\\n)*[^\n]*/.exec(doc)?.[0] ?? '';
    for (const ref of secretReferences(manifests('prod'))) {
      const key = ref.split('/')[1];
      expect({ key, inCommand: command.includes(`--from-file=${key}=`) }).toEqual({ key, inCommand: true });
    }
  });

  it("applies the Job with what it needs, and none of the API's objects, with the guide's selector", () => {
    const selector = /kubectl apply -k deploy\/kubernetes\/overlays\/prod -l 'app\.kubernetes\.io\/component!=api'/;
    expect(doc).toMatch(selector);
    for (const overlay of OVERLAYS) {
      const m = manifests(overlay);
      const selected = m.objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] !== 'api');
      const names = selected.map(objectName);
      const job = m.migrationJob!;
      const pod = job.spec!.template.spec!;
      expect(names).toContain(objectName(job));
      expect(names).toContain(`ServiceAccount/${pod.serviceAccountName}`);
      for (const source of pod.containers.flatMap((c) => c.envFrom ?? [])) {
        expect(names).toContain(`ConfigMap/${source.configMapRef?.name}`);
      }
      for (const kind of [
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'ServiceMonitor',
      ]) {
        expect(selected.filter((o) => o.kind === kind)).toEqual([]);
      }
    }
  });
});

describeWithKubectl('the overlays differ where they must', () => {
  it('dev: one replica, no autoscaler and no disruption budget', () => {
    const m = manifests('dev');
    expect(m.deployment.spec?.replicas).toBe(1);
    expect(m.ofKind('HorizontalPodAutoscaler')).toEqual([]);
    expect(m.ofKind('PodDisruptionBudget')).toEqual([]);
  });

  it('prod: three replicas, an autoscaling/v2 autoscaler on CPU and a budget of minAvailable 1', () => {
    const m = manifests('prod');
    expect(m.deployment.spec?.replicas).toBe(3);
    const [hpa] = m.ofKind<{ spec: Record<string, unknown> }>('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'customer-ops' },
      minReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }],
    });
    const [pdb] = m.ofKind<{ spec: Record<string, unknown> }>('PodDisruptionBudget');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.minAvailable).toBe(1);
  });

  it('runs the same release image in both, the one CI pushes for this version', () => {
    for (const overlay of OVERLAYS) {
      const images = new Set(manifests(overlay).podOwners.flatMap((o) => o.spec.containers.map((c) => c.image)));
      expect([...images]).toEqual([`${IMAGE_REPOSITORY}:${packageJson.version}`]);
    }
  });

  it('shuts down within the grace period: preStop 15 s > readiness 5 s x 2, 35 s >= 15 s + 10 s + 5 s', () => {
    const m = manifests('prod');
    expect(m.apiContainer.lifecycle?.preStop?.exec?.command).toEqual(['/bin/sleep', '15']);
    expect(m.apiContainer.readinessProbe).toMatchObject({ periodSeconds: 5, failureThreshold: 2 });
    expect(containerConfig(m, m.apiContainer).shutdownGraceMs).toBe(10000);
    expect(m.deployment.spec?.template.spec?.terminationGracePeriodSeconds).toBe(35);
  });
});

/** Each rule, on a copy of the prod objects broken one way, reports that break. */
const BREAKS: Array<[rule: string, breakage: string, mutate: (m: Manifests) => void, report: RegExp]> = [
  [
    'schemas',
    'a wrong type',
    (m) => Object.assign(m.deployment.spec!, { replicas: 'three' }),
    /replicas must be integer/,
  ],
  [
    'schemas',
    'an unknown field',
    (m) => Object.assign(m.apiContainer, { readinessProbes: {} }),
    /unknown field .*readinessProbes/,
  ],
  [
    'schemas',
    'a field at the wrong level',
    (m) => Object.assign(m.deployment.spec!, { terminationGracePeriodSeconds: 35 }),
    /unknown field spec\.terminationGracePeriodSeconds/,
  ],
  [
    'schemas',
    'a kind without a schema',
    (m) => m.objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }),
    /no schema/,
  ],
  [
    'probes',
    'readiness on /health',
    (m) => (m.apiContainer.readinessProbe!.httpGet!.path = '/health'),
    /readinessProbe: checks \/health/,
  ],
  [
    'probes',
    'liveness on /readyz',
    (m) => (m.apiContainer.livenessProbe!.httpGet!.path = '/readyz'),
    /livenessProbe: checks \/readyz/,
  ],
  ['probes', 'no startupProbe', (m) => delete m.apiContainer.startupProbe, /startupProbe: missing/],
  [
    'probes',
    'a probe on another port',
    (m) => (m.apiContainer.livenessProbe!.httpGet!.port = 9000),
    /livenessProbe: not on the API port/,
  ],
  [
    'probes',
    'a startup budget shorter than STARTUP_TIMEOUT_MS',
    (m) => (m.apiContainer.startupProbe!.failureThreshold = 5),
    /gives up after 10 s/,
  ],
  [
    'grace',
    'a preStop sleep within the readiness window',
    (m) => (m.apiContainer.lifecycle!.preStop!.exec!.command = ['/bin/sleep', '10']),
    /preStop: sleeps 10 s/,
  ],
  ['grace', 'no preStop', (m) => delete m.apiContainer.lifecycle, /preStop: a sleep/],
  [
    'grace',
    'a termination grace that ignores the drain',
    (m) => (m.deployment.spec!.template.spec!.terminationGracePeriodSeconds = 20),
    /terminationGracePeriodSeconds: 20 s/,
  ],
  [
    'grace',
    'a longer SHUTDOWN_GRACE_MS without a longer termination grace',
    (m) => (configData(m).SHUTDOWN_GRACE_MS = '30000'),
    /terminationGracePeriodSeconds: 35 s is less than preStop 15 s \+ SHUTDOWN_GRACE_MS 30 s/,
  ],
  [
    'securityContext',
    'a writable root filesystem in the Job',
    (m) => (jobContainer(m).securityContext!.readOnlyRootFilesystem = false),
    /Job\/customer-ops-migrate container migrate: readOnlyRootFilesystem/,
  ],
  ['securityContext', 'root', (m) => (m.apiContainer.securityContext!.runAsUser = 0), /runAsUser is not 1000/],
  [
    'securityContext',
    'privilege escalation',
    (m) => (m.apiContainer.securityContext!.allowPrivilegeEscalation = true),
    /allowPrivilegeEscalation/,
  ],
  [
    'securityContext',
    'capabilities kept',
    (m) => delete m.apiContainer.securityContext!.capabilities,
    /do not drop ALL/,
  ],
  [
    'securityContext',
    'runAsNonRoot off at both levels',
    (m) => {
      delete m.apiContainer.securityContext!.runAsNonRoot;
      m.deployment.spec!.template.spec!.securityContext!.runAsNonRoot = false;
    },
    /runAsNonRoot is not true/,
  ],
  [
    'scratchSpace',
    'no /tmp',
    (m) => (m.apiContainer.volumeMounts = m.apiContainer.volumeMounts!.filter((v) => v.mountPath !== '/tmp')),
    /\/tmp is not a writable emptyDir/,
  ],
  [
    'secrets',
    'an inline DATABASE_URL',
    (m) => (apiEnv(m).find((e) => e.name === 'DATABASE_URL')!.valueFrom = undefined),
    /DATABASE_URL must come from a secretKeyRef/,
  ],
  [
    'secrets',
    'a Secret with values',
    (m) =>
      m.objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'customer-ops' }, data: { x: 'eA==' } }),
    /a Secret in the manifests carries its values/,
  ],
  ['secrets', 'a token in the ConfigMap', (m) => (configData(m).METRICS_TOKEN = 'abc'), /holds METRICS_TOKEN/],
  [
    'secrets',
    'a tenant key inline',
    (m) => apiEnv(m).push({ name: 'API_KEY_ACME', value: 'k'.repeat(32) }),
    /API_KEY_ACME puts a tenant key/,
  ],
  [
    'secrets',
    'the admin key file outside the Secret volume',
    (m) => (apiEnv(m).find((e) => e.name === 'API_ADMIN_KEY_FILE')!.value = '/tmp/admin-key'),
    /API_ADMIN_KEY_FILE \(\/tmp\/admin-key\) is not in a mounted Secret/,
  ],
  ['images', 'latest', (m) => (m.apiContainer.image = `${IMAGE_REPOSITORY}:latest`), /is not pinned/],
  ['images', 'no tag', (m) => (jobContainer(m).image = IMAGE_REPOSITORY), /is not pinned/],
  [
    'images',
    'another release',
    (m) => (m.apiContainer.image = `${IMAGE_REPOSITORY}:0.0.1`),
    /runs aether\/customer-ops:0.0.1/,
  ],
  [
    'migrations',
    'migrations at start-up',
    (m) => (apiEnv(m).find((e) => e.name === 'MIGRATIONS_RUN')!.value = 'true'),
    /MIGRATIONS_RUN is not false/,
  ],
  [
    'migrations',
    'MIGRATIONS_RUN left at its default (true)',
    (m) => (m.apiContainer.env = apiEnv(m).filter((e) => e.name !== 'MIGRATIONS_RUN')),
    /MIGRATIONS_RUN is not false/,
  ],
  [
    'migrations',
    'a Job with another command',
    (m) =>
      (m.ofKind<{ spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }>(
        'Job',
      )[0].spec.template.spec.containers[0].args = ['node', 'dist/main.js']),
    /no Job runs/,
  ],
  [
    'rollout',
    'maxUnavailable 1',
    (m) => (m.deployment.spec!.strategy!.rollingUpdate!.maxUnavailable = 1),
    /maxUnavailable is 1/,
  ],
  [
    'rollout',
    'the default maxUnavailable',
    (m) => delete m.deployment.spec!.strategy!.rollingUpdate,
    /maxUnavailable is 25%/,
  ],
  [
    'resources',
    'no limits on the Job',
    (m) => delete jobContainer(m).resources!.limits,
    /migrate: cpu needs a request and a limit/,
  ],
  [
    'resources',
    'a request above the limit',
    (m) => (m.apiContainer.resources!.requests!.memory = '1Gi'),
    /memory request 1Gi is not between 0 and the limit 512Mi/,
  ],
  [
    'autoscaling',
    'autoscaling/v1',
    (m) => (one<K8sObject>(m, 'HorizontalPodAutoscaler').apiVersion = 'autoscaling/v1'),
    /not autoscaling\/v2/,
  ],
  [
    'autoscaling',
    'memory instead of CPU',
    (m) =>
      (one<{ spec: { metrics: Array<{ resource: { name: string } }> } }>(
        m,
        'HorizontalPodAutoscaler',
      ).spec.metrics[0].resource.name = 'memory'),
    /no CPU utilization metric/,
  ],
  [
    'disruptionBudget',
    'minAvailable 2',
    (m) => (one<{ spec: { minAvailable: number } }>(m, 'PodDisruptionBudget').spec.minAvailable = 2),
    /minAvailable is 2, not 1/,
  ],
  [
    'disruptionBudget',
    'no budget for three replicas',
    (m) =>
      m.objects.splice(
        m.objects.findIndex((o) => o.kind === 'PodDisruptionBudget'),
        1,
      ),
    /3 replicas need one PodDisruptionBudget/,
  ],
  [
    'networkPolicy',
    'the inspector port open',
    (m) =>
      one<{ spec: { ingress: Array<{ ports: Array<{ port: number }> }> } }>(
        m,
        'NetworkPolicy',
      ).spec.ingress[0].ports.push({ port: 9229 }),
    /admits TCP 9229/,
  ],
  [
    'networkPolicy',
    'a rule for every port',
    (m) => (one<{ spec: { ingress: unknown[] } }>(m, 'NetworkPolicy').spec.ingress = [{}]),
    /admits every port/,
  ],
  [
    'networkPolicy',
    'egress only',
    (m) => (one<{ spec: { policyTypes: string[] } }>(m, 'NetworkPolicy').spec.policyTypes = ['Egress']),
    /does not restrict Ingress/,
  ],
  [
    'service',
    'another target port',
    (m) => (one<{ spec: { ports: Array<{ targetPort: number }> } }>(m, 'Service').spec.ports[0].targetPort = 8080),
    /targets 8080/,
  ],
  [
    'service',
    'a selector that includes the migration pods',
    (m) =>
      (one<{ spec: { selector: Record<string, string> } }>(m, 'Service').spec.selector = {
        'app.kubernetes.io/name': 'customer-ops',
      }),
    /also sends traffic to Job\/customer-ops-migrate/,
  ],
  [
    'serviceMonitor',
    'an unknown port name',
    (m) =>
      (one<{ spec: { endpoints: Array<{ port: string }> } }>(m, 'ServiceMonitor').spec.endpoints[0].port = 'metrics'),
    /port metrics is not a Service port name/,
  ],
  [
    'serviceMonitor',
    'a token from another key',
    (m) =>
      (one<{ spec: { endpoints: Array<{ authorization: { credentials: { key: string } } }> } }>(
        m,
        'ServiceMonitor',
      ).spec.endpoints[0].authorization.credentials.key = 'token'),
    /does not send the METRICS_TOKEN/,
  ],
  [
    'environment',
    'a misspelt variable',
    (m) => apiEnv(m).push({ name: 'DATABSE_URL', value: 'x' }),
    /DATABSE_URL is not a variable of the service/,
  ],
  [
    'environment',
    'a value the service refuses',
    (m) => (configData(m).LOG_LEVEL = 'verbose'),
    /the configuration does not load: .*LOG_LEVEL/s,
  ],
  [
    'environment',
    'a PORT other than the container port',
    (m) => (configData(m).PORT = '3000'),
    /listens on 3000, the container port is 8000/,
  ],
  [
    'prometheusRule',
    'a rule edited in the PrometheusRule only',
    (m) =>
      (one<{ spec: { groups: Array<{ rules: Array<{ for: string }> }> } }>(
        m,
        'PrometheusRule',
      ).spec.groups[0].rules[0].for = '1m'),
    /differ from deploy\/prometheus\/alerts.yml/,
  ],
];

describeWithKubectl('each rule fails on manifests that break it', () => {
  it('covers every rule', () => {
    expect(new Set(BREAKS.map(([rule]) => rule))).toEqual(new Set(Object.keys(RULES)));
  });

  it.each(BREAKS)('%s: %s', (rule, _breakage, mutate, report) => {
    const problems = RULES[rule](broken(mutate), context);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(report)]));
  });

  it('disruptionBudget: a budget on a single replica blocks drains', () => {
    const dev = broken(
      (m) => m.objects.push(structuredClone(one<K8sObject>(manifests('prod'), 'PodDisruptionBudget'))),
      'dev',
    );
    expect(RULES.disruptionBudget(dev, context)).toEqual([expect.stringMatching(/single replica blocks node drains/)]);
  });
});

describe('PrometheusRule from deploy/prometheus/alerts.yml', () => {
  const alertsText = readRepoFile(ALERTS_PATH);

  it('is committed exactly as the generator writes it', () => {
    expect(readRepoFile(PROMETHEUS_RULE_PATH)).toBe(renderPrometheusRule(alertsText));
  });

  it('carries the same groups as alerts.yml, under a header that says it is generated', () => {
    const [rule] = parseManifests(readRepoFile(PROMETHEUS_RULE_PATH), PROMETHEUS_RULE_PATH);
    expect(rule).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    expect((rule.spec as { groups: unknown }).groups).toEqual(alertGroups(alertsText));
    expect(readRepoFile(PROMETHEUS_RULE_PATH).split('\n')[0]).toMatch(
      /^# Generated from deploy\/prometheus\/alerts\.yml/,
    );
    expect(schemaProblems(rule)).toEqual([]);
  });

  it('follows an edit of alerts.yml, so a drifted file is caught', () => {
    const edited = alertsText.replace('for: 10m', 'for: 15m');
    expect(edited).not.toBe(alertsText);
    expect(renderPrometheusRule(edited)).not.toBe(readRepoFile(PROMETHEUS_RULE_PATH));
  });

  it('is regenerated by npm run generate:prometheus-rule, whose --check passes', () => {
    expect(packageJson.scripts['generate:prometheus-rule']).toContain('scripts/generate-prometheus-rule.ts');
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'scripts/generate-prometheus-rule.ts', '--check'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30000 },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('deploy/kubernetes sources', () => {
  const kustomizations = (dir = 'deploy/kubernetes'): string[] =>
    readdirSync(join(REPO_ROOT, dir)).flatMap((entry) => {
      const path = posix.join(dir, entry);
      if (statSync(join(REPO_ROOT, path)).isDirectory()) return kustomizations(path);
      return entry === 'kustomization.yaml' ? [path] : [];
    });

  it('has a base and the two overlays, none generating a Secret', () => {
    expect(kustomizations().sort()).toEqual([
      'deploy/kubernetes/base/kustomization.yaml',
      'deploy/kubernetes/overlays/dev/kustomization.yaml',
      'deploy/kubernetes/overlays/prod/kustomization.yaml',
    ]);
    for (const path of kustomizations()) {
      const kustomization = readYaml<Record<string, unknown>>(path);
      expect({ path, secretGenerator: kustomization.secretGenerator }).toEqual({ path, secretGenerator: undefined });
    }
  });

  it('names the migration command of the compiled image: libs/database/src/migrate.ts under the build output', () => {
    const start = packageJson.scripts.start.split(' ')[1];
    const outDir = 'dist/apps/customer-ops/';
    expect(start.startsWith(outDir)).toBe(true);
    expect(MIGRATION_COMMAND).toEqual(['node', `${outDir}libs/database/src/migrate.js`]);
    expect(repoPathExists('libs/database/src/migrate.ts')).toBe(true);
  });

  it('runs as the image user: USER node on a Debian node image, which has /bin/sleep for preStop', () => {
    const stages = parseDockerfile(readRepoFile('Dockerfile'));
    const runtime = stages[stages.length - 1];
    expect(runtime.from).toMatch(/^node:\d+-bookworm-slim$/);
    expect(runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['node']);
  });

  it('documents the plans ConfigMap the Deployment mounts in docs/DEPLOYMENT.md', () => {
    expect(readRepoFile('docs/DEPLOYMENT.md')).toMatch(
      /kubectl[^\n]*create configmap customer-ops-plans --from-file=plans\.json=config\/plans\.json/,
    );
  });
});
