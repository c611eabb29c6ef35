import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { IObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { Deployment, IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { IJob, Job } from 'kubernetes-models/batch/v1';
import { INetworkPolicy, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { IPodDisruptionBudget, PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  IConfigMap,
  IContainer,
  IPodSpec,
  IProbe,
  IService,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import {
  IPrometheusRule,
  IServiceMonitor,
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { AppConfig, FILE_SECRETS, loadConfig } from '@app/config';
import { REPO_ROOT } from './api-process';

/**
 * The Kubernetes manifests as the cluster receives them: each overlay rendered by
 * `kubectl kustomize` (offline), parsed, validated against the API schemas of the
 * kubernetes-models packages, and checked against the deployment rules below. Each rule is a
 * function from the rendered objects to the list of its violations, so a test can show both
 * that the committed manifests pass and that a broken copy fails.
 */

export type K8sObject = { apiVersion: string; kind: string; metadata: IObjectMeta & { name: string } } & Record<
  string,
  unknown
>;

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** The image's user: `USER node` in the Dockerfile, uid and gid 1000 in the node images. */
export const IMAGE_UID = 1000;
/** What terminationGracePeriodSeconds keeps beyond preStop + SHUTDOWN_GRACE_MS: closing connections, flushing logs. */
export const SHUTDOWN_MARGIN_SECONDS = 5;
/** The image's migration command: libs/database/src/migrate.ts compiled under dist/apps/customer-ops. */
export const MIGRATION_COMMAND = ['node', 'dist/apps/customer-ops/libs/database/src/migrate.js'];
export const IMAGE_REPOSITORY = 'aether/customer-ops';

// --- rendering ------------------------------------------------------------------------

export function kubectlAvailable(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

/** The objects of `kubectl kustomize <dir>` (a path relative to the repository). */
export function renderKustomization(dir: string): K8sObject[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20000 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (${run.status}): ${run.stderr || run.error}`);
  return parseManifests(run.stdout, dir);
}

export function renderOverlay(overlay: Overlay): K8sObject[] {
  return renderKustomization(`deploy/kubernetes/overlays/${overlay}`);
}

/** Every document of a multi-document YAML stream; a syntax error or a document without kind is an error. */
export function parseManifests(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text)
    .filter((doc) => doc.contents !== null)
    .map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${source}, document ${index + 1}: ${doc.errors[0].message}`);
      const object = doc.toJS() as Partial<K8sObject> | null;
      if (!object?.apiVersion || !object.kind || !object.metadata?.name) {
        throw new Error(`${source}, document ${index + 1}: apiVersion, kind and metadata.name are required`);
      }
      return object as K8sObject;
    });
}

export const objectName = (object: K8sObject): string => `${object.kind}/${object.metadata.name}`;

// --- schemas ----------------------------------------------------------------------------

interface Validating {
  prototype: { validate(): void };
}

const SCHEMAS: Record<string, Validating> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

interface TrackedNode {
  path: string;
  target: Record<string, unknown>;
  read: Set<string>;
  /** The validator enumerated the keys (a map such as labels or ConfigMap data): all are known. */
  enumerated: boolean;
}

/**
 * Wraps a value in proxies that record which fields a schema validator looks at. The
 * validators of kubernetes-models read every field their schema declares and ignore the rest
 * (the API server, with strict field validation, refuses them), so a field nobody read is one
 * the schema does not know: a typo such as `readinessProbes` or a field at the wrong level.
 */
class FieldTracker {
  private readonly nodes: TrackedNode[] = [];
  private readonly proxies = new WeakMap<object, object>();
  readonly root: unknown;

  constructor(value: unknown) {
    this.root = this.wrap(value, '');
  }

  private wrap(value: unknown, path: string): unknown {
    if (value === null || typeof value !== 'object') return value;
    const cached = this.proxies.get(value);
    if (cached) return cached;
    const isArray = Array.isArray(value);
    const node: TrackedNode = {
      path,
      target: value as Record<string, unknown>,
      read: new Set(),
      enumerated: isArray,
    };
    this.nodes.push(node);
    const child = (key: string) => (isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    const proxy = new Proxy(value, {
      get: (target, key, receiver) => {
        const field = Reflect.get(target, key, receiver) as unknown;
        if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(target, key)) return field;
        node.read.add(key);
        return this.wrap(field, child(key));
      },
      has: (target, key) => {
        if (typeof key === 'string') node.read.add(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor: (target, key) => {
        if (typeof key === 'string') node.read.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys: (target) => {
        node.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    this.proxies.set(value, proxy);
    return proxy;
  }

  /** Paths of the fields no validator read. */
  unread(): string[] {
    return this.nodes
      .filter((node) => !node.enumerated)
      .flatMap((node) =>
        Object.keys(node.target)
          .filter((key) => !node.read.has(key))
          .map((key) => (node.path ? `${node.path}.${key}` : key)),
      );
  }
}

/** Schema violations of one object: wrong types, missing required fields, unknown fields, unknown kinds. */
export function schemaProblems(object: K8sObject): string[] {
  const model = SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (!model) return [`${objectName(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  const tracker = new FieldTracker(object);
  try {
    model.prototype.validate.call(tracker.root);
  } catch (error) {
    return [`${objectName(object)}: ${(error as Error).message}`];
  }
  return tracker.unread().map((path) => `${objectName(object)}: unknown field ${path}`);
}

// --- reading the rendered objects -------------------------------------------------------

export type EnvSource =
  | { from: 'value'; value: string }
  | { from: 'secret'; name: string; key: string }
  | { from: 'configMap'; name: string; key: string; value: string | undefined }
  | { from: 'other' };

export interface PodOwner {
  object: K8sObject;
  spec: IPodSpec;
  labels: Record<string, string>;
}

/** Typed views of one overlay's rendered objects. */
export class Manifests {
  constructor(readonly objects: K8sObject[]) {}

  ofKind<T>(kind: string): Array<T & K8sObject> {
    return this.objects.filter((o) => o.kind === kind) as Array<T & K8sObject>;
  }

  get deployment(): IDeployment & K8sObject {
    const [deployment, ...others] = this.ofKind<IDeployment>('Deployment');
    if (!deployment || others.length > 0) throw new Error('expected exactly one Deployment');
    return deployment;
  }

  get migrationJob(): (IJob & K8sObject) | undefined {
    return this.ofKind<IJob>('Job').find((job) =>
      (job.spec?.template.spec?.containers ?? []).some((c) => isDeepStrictEqual(commandOf(c), MIGRATION_COMMAND)),
    );
  }

  get apiContainer(): IContainer {
    const containers = this.deployment.spec?.template.spec?.containers ?? [];
    if (containers.length !== 1) throw new Error('expected one container in the Deployment');
    return containers[0];
  }

  /** The port the API listens on: the Deployment's container port named http. */
  get apiPort(): number {
    const port = (this.apiContainer.ports ?? []).find((p) => p.name === 'http');
    if (!port) throw new Error('the API container has no port named http');
    return port.containerPort;
  }

  /** Every object that runs pods (Deployments, Jobs), with its pod spec. */
  get podOwners(): PodOwner[] {
    return [...this.ofKind<IDeployment>('Deployment'), ...this.ofKind<IJob>('Job')].map((object) => ({
      object,
      spec: object.spec?.template.spec ?? { containers: [] },
      labels: object.spec?.template.metadata?.labels ?? {},
    }));
  }

  configMap(name: string): (IConfigMap & K8sObject) | undefined {
    return this.ofKind<IConfigMap>('ConfigMap').find((c) => c.metadata.name === name);
  }

  /** A container's environment as the kubelet builds it: envFrom first, env entries winning. */
  environment(container: IContainer): Map<string, EnvSource> {
    const env = new Map<string, EnvSource>();
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        const name = source.configMapRef.name ?? '';
        for (const [key, value] of Object.entries(this.configMap(name)?.data ?? {})) {
          env.set(`${source.prefix ?? ''}${key}`, { from: 'configMap', name, key, value });
        }
      }
      if (source.secretRef) throw new Error(`${container.name}: envFrom a whole Secret hides which variables it sets`);
    }
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom;
      if (ref?.secretKeyRef)
        env.set(variable.name, { from: 'secret', name: ref.secretKeyRef.name ?? '', key: ref.secretKeyRef.key });
      else if (ref?.configMapKeyRef) {
        const { name = '', key } = ref.configMapKeyRef;
        env.set(variable.name, { from: 'configMap', name, key, value: this.configMap(name)?.data?.[key] });
      } else if (ref) env.set(variable.name, { from: 'other' });
      else env.set(variable.name, { from: 'value', value: variable.value ?? '' });
    }
    return env;
  }
}

export function commandOf(container: IContainer): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])];
}

/** Whether a label selector selects pods with these labels. */
export function selects(selector: ILabelSelector | Record<string, string> | undefined, labels: Record<string, string>) {
  const matchLabels =
    selector && 'matchLabels' in selector
      ? (selector as ILabelSelector).matchLabels
      : (selector as Record<string, string>);
  const expressions = selector && 'matchExpressions' in selector ? (selector as ILabelSelector).matchExpressions : [];
  if (!matchLabels || Object.keys(matchLabels).length === 0) return false;
  if ((expressions ?? []).length > 0) return false;
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

/** A Kubernetes quantity in base units: cpu `250m` = 0.25, memory `512Mi` = 536870912. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity.trim());
  if (!match) return NaN;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1);
}

/** The container port a probe or Service port names (a number, or the name of a container port). */
function resolvePort(port: number | string | undefined, container: IContainer): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return (container.ports ?? []).find((p) => p.name === port)?.containerPort;
}

const PLACEHOLDER_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://customer_ops:placeholder@db.internal:5432/customer_ops?sslmode=require',
  REDIS_URL: 'rediss://default:placeholder@redis.internal:6380',
  METRICS_TOKEN: 'metrics-token-placeholder-0123456789abcdef',
  API_ADMIN_KEY: 'admin-key-placeholder-0123456789abcdef0123456789',
};

/**
 * The configuration a container starts with, through the service's own parser: ConfigMap
 * values and literal values as rendered, each Secret reference by a placeholder of the right
 * shape, and each `<NAME>_FILE` of a mounted Secret by the placeholder of `<NAME>`.
 */
export function containerConfig(manifests: Manifests, container: IContainer): AppConfig {
  const raw: Record<string, string> = {};
  for (const [name, source] of manifests.environment(container)) {
    if (source.from === 'value') raw[name] = source.value;
    else if (source.from === 'configMap') raw[name] = source.value ?? '';
    else if (source.from === 'secret') raw[name] = PLACEHOLDER_SECRETS[name] ?? 'secret-placeholder-0123456789';
  }
  for (const name of FILE_SECRETS) {
    if (raw[`${name}_FILE`] !== undefined) {
      delete raw[`${name}_FILE`];
      raw[name] = PLACEHOLDER_SECRETS[name];
    }
  }
  return loadConfig(raw);
}

// --- the rules --------------------------------------------------------------------------

export interface RuleContext {
  /** The image tag the manifests must run. */
  imageTag: string;
  /** Variable names the service documents (.env.example). */
  documentedVariables: Set<string>;
  /** The rule groups of deploy/prometheus/alerts.yml. */
  alertGroups: unknown;
}

export type Rule = (manifests: Manifests, context: RuleContext) => string[];

const probeWindow = (probe: IProbe) => (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);

function preStopSeconds(container: IContainer): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  if (command.length === 2 && /^(\/bin\/|\/usr\/bin\/)?sleep$/.test(command[0]) && /^\d+$/.test(command[1])) {
    return Number(command[1]);
  }
  return undefined;
}

function eachContainer(manifests: Manifests): Array<{ owner: PodOwner; container: IContainer; where: string }> {
  return manifests.podOwners.flatMap((owner) =>
    [...(owner.spec.initContainers ?? []), ...owner.spec.containers].map((container) => ({
      owner,
      container,
      where: `${objectName(owner.object)} container ${container.name}`,
    })),
  );
}

function parsedConfig(manifests: Manifests, container: IContainer, where: string): AppConfig | string {
  try {
    return containerConfig(manifests, container);
  } catch (error) {
    return `${where}: the configuration does not load: ${(error as Error).message}`;
  }
}

export const RULES: Record<string, Rule> = {
  schemas(m) {
    return m.objects.flatMap(schemaProblems);
  },

  probes(m) {
    const problems: string[] = [];
    const api = m.apiContainer;
    const expected: Array<[keyof IContainer, string]> = [
      ['startupProbe', '/health'],
      ['livenessProbe', '/health'],
      ['readinessProbe', '/readyz'],
    ];
    for (const [kind, path] of expected) {
      const probe = api[kind] as IProbe | undefined;
      if (!probe?.httpGet) {
        problems.push(`${kind}: missing (an HTTP GET of ${path} is required)`);
        continue;
      }
      if (probe.httpGet.path !== path) problems.push(`${kind}: checks ${probe.httpGet.path}, not ${path}`);
      if (resolvePort(probe.httpGet.port, api) !== m.apiPort)
        problems.push(`${kind}: not on the API port ${m.apiPort}`);
    }
    const config = parsedConfig(m, api, 'API container');
    if (typeof config === 'string') return [...problems, config];
    const startup = api.startupProbe;
    if (startup) {
      const budget = (startup.initialDelaySeconds ?? 0) + probeWindow(startup);
      if (budget * 1000 <= config.startupTimeoutMs) {
        problems.push(
          `startupProbe: gives up after ${budget} s, before STARTUP_TIMEOUT_MS (${config.startupTimeoutMs} ms) ends a failed start with its reason`,
        );
      }
    }
    return problems;
  },

  grace(m) {
    const api = m.apiContainer;
    const problems: string[] = [];
    const preStop = preStopSeconds(api);
    const readiness = api.readinessProbe;
    if (preStop === undefined) return ['preStop: a sleep (exec /bin/sleep N, or sleep.seconds) is required'];
    if (!readiness) return ['readinessProbe: missing, so the preStop sleep has no bound to exceed'];
    if (preStop <= probeWindow(readiness)) {
      problems.push(
        `preStop: sleeps ${preStop} s, not longer than the readiness window (${readiness.periodSeconds ?? 10} s x ${readiness.failureThreshold ?? 3})`,
      );
    }
    const config = parsedConfig(m, api, 'API container');
    if (typeof config === 'string') return [...problems, config];
    const termination = m.deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
    const needed = preStop + config.shutdownGraceMs / 1000 + SHUTDOWN_MARGIN_SECONDS;
    if (termination < needed) {
      problems.push(
        `terminationGracePeriodSeconds: ${termination} s is less than preStop ${preStop} s + SHUTDOWN_GRACE_MS ${config.shutdownGraceMs / 1000} s + ${SHUTDOWN_MARGIN_SECONDS} s`,
      );
    }
    return problems;
  },

  securityContext(m) {
    return eachContainer(m).flatMap(({ owner, container, where }) => {
      const pod = owner.spec.securityContext ?? {};
      const own = container.securityContext ?? {};
      const problems: string[] = [];
      if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if ((own.runAsUser ?? pod.runAsUser) !== IMAGE_UID)
        problems.push(`${where}: runAsUser is not ${IMAGE_UID} (node)`);
      if (own.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (own.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (own.privileged === true) problems.push(`${where}: privileged`);
      if (!(own.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if ((own.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
      return problems;
    });
  },

  /** The one place a read-only container may write: /tmp, on an emptyDir. */
  scratchSpace(m) {
    return eachContainer(m).flatMap(({ owner, container, where }) => {
      const mount = (container.volumeMounts ?? []).find((v) => v.mountPath === '/tmp');
      const volume = (owner.spec.volumes ?? []).find((v) => v.name === mount?.name);
      return volume?.emptyDir && !mount?.readOnly ? [] : [`${where}: /tmp is not a writable emptyDir`];
    });
  },

  secrets(m) {
    const problems: string[] = [];
    for (const secret of m.ofKind<Record<string, unknown>>('Secret')) {
      problems.push(
        `${objectName(secret)}: a Secret in the manifests carries its values; create it with kubectl instead`,
      );
    }
    const secretNames = new Set<string>(FILE_SECRETS);
    for (const configMap of m.ofKind<IConfigMap>('ConfigMap')) {
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        if (secretNames.has(key) || /^API_KEY_/.test(key)) problems.push(`${objectName(configMap)}: holds ${key}`);
        if (/:\/\/[^/\s:@]+:[^@\s]+@/.test(value)) problems.push(`${objectName(configMap)}: ${key} holds a password`);
      }
    }
    for (const { container, where, owner } of eachContainer(m)) {
      const env = m.environment(container);
      for (const [name, source] of env) {
        if (/^API_KEY_/.test(name)) problems.push(`${where}: ${name} puts a tenant key in the manifest`);
        if (secretNames.has(name) && source.from !== 'secret') {
          problems.push(`${where}: ${name} must come from a secretKeyRef, not ${source.from}`);
        }
        if (source.from === 'value' && /:\/\/[^/\s:@]+:[^@\s]+@/.test(source.value)) {
          problems.push(`${where}: ${name} holds a password`);
        }
      }
      const keyFile = env.get('API_ADMIN_KEY_FILE');
      if (keyFile?.from === 'value') {
        const mount = (container.volumeMounts ?? []).find((v) => keyFile.value.startsWith(`${v.mountPath}/`));
        const volume = (owner.spec.volumes ?? []).find((v) => v.name === mount?.name);
        if (!volume?.secret)
          problems.push(`${where}: API_ADMIN_KEY_FILE (${keyFile.value}) is not in a mounted Secret`);
      }
    }
    const api = m.environment(m.apiContainer);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN']) {
      if (api.get(name)?.from !== 'secret') problems.push(`API container: ${name} is not referenced from a Secret`);
    }
    if (api.get('API_ADMIN_KEY_FILE')?.from !== 'value') problems.push('API container: API_ADMIN_KEY_FILE is not set');
    return problems;
  },

  images(m, context) {
    const expected = `${IMAGE_REPOSITORY}:${context.imageTag}`;
    return eachContainer(m).flatMap(({ container, where }) => {
      const image = container.image ?? '';
      const tag = /^[^@]+:([^:/@]+)$/.exec(image)?.[1];
      const problems: string[] = [];
      if (!image.includes('@sha256:') && (!tag || tag === 'latest')) {
        problems.push(`${where}: image ${image || '(none)'} is not pinned to a release tag`);
      } else if (image !== expected) problems.push(`${where}: runs ${image}, not ${expected}`);
      return problems;
    });
  },

  migrations(m) {
    const problems: string[] = [];
    const config = parsedConfig(m, m.apiContainer, 'API container');
    if (typeof config === 'string') problems.push(config);
    else if (config.database.migrationsRun) problems.push('API container: MIGRATIONS_RUN is not false');
    const job = m.migrationJob;
    if (!job) return [...problems, `no Job runs ${MIGRATION_COMMAND.join(' ')}`];
    const container = job.spec?.template.spec?.containers.find((c) =>
      isDeepStrictEqual(commandOf(c), MIGRATION_COMMAND),
    );
    if (container && container.image !== m.apiContainer.image) {
      problems.push(`${objectName(job)}: migrates with ${container.image}, not the API's ${m.apiContainer.image}`);
    }
    const restart = job.spec?.template.spec?.restartPolicy;
    if (restart !== 'Never' && restart !== 'OnFailure') problems.push(`${objectName(job)}: restartPolicy ${restart}`);
    if (container) {
      const jobConfig = parsedConfig(m, container, objectName(job));
      if (typeof jobConfig === 'string') problems.push(jobConfig);
      else if (m.environment(container).get('DATABASE_URL')?.from !== 'secret') {
        problems.push(`${objectName(job)}: DATABASE_URL is not referenced from a Secret`);
      }
    }
    return problems;
  },

  rollout(m) {
    const strategy = m.deployment.spec?.strategy;
    if (strategy?.type !== 'RollingUpdate') return [`Deployment: strategy ${strategy?.type}, not RollingUpdate`];
    const { maxUnavailable, maxSurge } = strategy.rollingUpdate ?? {};
    const problems: string[] = [];
    if (maxUnavailable !== 0 && maxUnavailable !== '0%' && maxUnavailable !== '0') {
      problems.push(`Deployment: maxUnavailable is ${maxUnavailable ?? '25% (the default)'}, not 0`);
    }
    if (maxSurge === 0 || maxSurge === '0%' || maxSurge === '0')
      problems.push('Deployment: maxSurge 0 cannot roll with maxUnavailable 0');
    return problems;
  },

  resources(m) {
    return eachContainer(m).flatMap(({ container, where }) => {
      const problems: string[] = [];
      for (const resource of ['cpu', 'memory']) {
        const request = container.resources?.requests?.[resource];
        const limit = container.resources?.limits?.[resource];
        if (request === undefined || limit === undefined) {
          problems.push(`${where}: ${resource} needs a request and a limit`);
        } else if (!(parseQuantity(request) > 0) || parseQuantity(request) > parseQuantity(limit)) {
          problems.push(`${where}: ${resource} request ${request} is not between 0 and the limit ${limit}`);
        }
      }
      return problems;
    });
  },

  autoscaling(m) {
    const problems: string[] = [];
    const replicas = m.deployment.spec?.replicas ?? 1;
    for (const hpa of m.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
      const spec = (hpa as IHorizontalPodAutoscaler & K8sObject).spec;
      if (hpa.apiVersion !== 'autoscaling/v2')
        problems.push(`${objectName(hpa)}: ${hpa.apiVersion}, not autoscaling/v2`);
      if (spec?.scaleTargetRef.kind !== 'Deployment' || spec.scaleTargetRef.name !== m.deployment.metadata.name) {
        problems.push(`${objectName(hpa)}: does not scale the Deployment`);
      }
      const cpu = (spec?.metrics ?? []).some(
        (metric) =>
          metric.type === 'Resource' &&
          metric.resource?.name === 'cpu' &&
          metric.resource.target.type === 'Utilization',
      );
      if (!cpu) problems.push(`${objectName(hpa)}: no CPU utilization metric`);
      const min = spec?.minReplicas ?? 1;
      if (replicas < min || replicas > (spec?.maxReplicas ?? 0)) {
        problems.push(
          `${objectName(hpa)}: the Deployment's ${replicas} replicas are outside ${min}..${spec?.maxReplicas}`,
        );
      }
    }
    return problems;
  },

  /** With more than one replica a budget keeps one pod up; with one, a budget would block every drain. */
  disruptionBudget(m) {
    const replicas = m.deployment.spec?.replicas ?? 1;
    const labels = m.deployment.spec?.template.metadata?.labels ?? {};
    const budgets = m.ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
    if (replicas <= 1)
      return budgets.map((pdb) => `${objectName(pdb)}: a budget for a single replica blocks node drains`);
    const covering = budgets.filter((pdb) => selects(pdb.spec?.selector, labels));
    if (covering.length !== 1) return [`${replicas} replicas need one PodDisruptionBudget for the API pods`];
    const [pdb] = covering;
    return pdb.spec?.minAvailable === 1 && pdb.spec.maxUnavailable === undefined
      ? []
      : [`${objectName(pdb)}: minAvailable is ${pdb.spec?.minAvailable}, not 1`];
  },

  networkPolicy(m) {
    const labels = m.deployment.spec?.template.metadata?.labels ?? {};
    const policies = m.ofKind<INetworkPolicy>('NetworkPolicy').filter((p) => selects(p.spec?.podSelector, labels));
    if (policies.length === 0) return ['no NetworkPolicy selects the API pods'];
    return policies.flatMap((policy) => {
      const problems: string[] = [];
      if (!(policy.spec?.policyTypes ?? []).includes('Ingress'))
        problems.push(`${objectName(policy)}: does not restrict Ingress`);
      const rules = policy.spec?.ingress ?? [];
      if (rules.length === 0) problems.push(`${objectName(policy)}: admits no traffic at all`);
      for (const [index, rule] of rules.entries()) {
        const ports = rule.ports ?? [];
        if (ports.length === 0) problems.push(`${objectName(policy)}: ingress rule ${index} admits every port`);
        for (const port of ports) {
          if (
            resolvePort(port.port, m.apiContainer) !== m.apiPort ||
            (port.protocol ?? 'TCP') !== 'TCP' ||
            port.endPort
          ) {
            problems.push(`${objectName(policy)}: ingress rule ${index} admits ${port.protocol ?? 'TCP'} ${port.port}`);
          }
        }
      }
      return problems;
    });
  },

  service(m) {
    const apiLabels = m.deployment.spec?.template.metadata?.labels ?? {};
    const services = m.ofKind<IService>('Service');
    if (services.length !== 1) return [`expected one Service, found ${services.length}`];
    const [service] = services;
    const problems: string[] = [];
    if (!selects(service.spec?.selector, apiLabels))
      problems.push(`${objectName(service)}: does not select the API pods`);
    for (const owner of m.podOwners.filter((o) => o.object.kind !== 'Deployment')) {
      if (selects(service.spec?.selector, owner.labels)) {
        problems.push(`${objectName(service)}: also sends traffic to ${objectName(owner.object)}`);
      }
    }
    for (const port of service.spec?.ports ?? []) {
      if (resolvePort(port.targetPort ?? port.port, m.apiContainer) !== m.apiPort) {
        problems.push(
          `${objectName(service)}: port ${port.port} targets ${port.targetPort}, not the API port ${m.apiPort}`,
        );
      }
    }
    return problems;
  },

  serviceMonitor(m) {
    const monitors = m.ofKind<IServiceMonitor>('ServiceMonitor');
    if (monitors.length !== 1) return [`expected one ServiceMonitor, found ${monitors.length}`];
    const [monitor] = monitors;
    const service = m.ofKind<IService>('Service')[0];
    const problems: string[] = [];
    if (!service || !selects(monitor.spec.selector as ILabelSelector, service.metadata.labels ?? {})) {
      problems.push(`${objectName(monitor)}: does not select the Service`);
    }
    const token = m.environment(m.apiContainer).get('METRICS_TOKEN');
    for (const endpoint of monitor.spec.endpoints ?? []) {
      if (!(service?.spec?.ports ?? []).some((p) => p.name === endpoint.port)) {
        problems.push(`${objectName(monitor)}: port ${endpoint.port} is not a Service port name`);
      }
      if (endpoint.path !== '/metrics') problems.push(`${objectName(monitor)}: scrapes ${endpoint.path}`);
      const credentials = endpoint.authorization?.credentials;
      if (
        token?.from !== 'secret' ||
        endpoint.authorization?.type !== 'Bearer' ||
        credentials?.name !== token.name ||
        credentials.key !== token.key
      ) {
        problems.push(`${objectName(monitor)}: does not send the METRICS_TOKEN of the API as a bearer token`);
      }
    }
    return problems;
  },

  environment(m, context) {
    const problems: string[] = [];
    for (const { container, where } of eachContainer(m)) {
      for (const name of m.environment(container).keys()) {
        const base = name.replace(/_FILE$/, '');
        const documented =
          context.documentedVariables.has(name) ||
          (name.endsWith('_FILE') &&
            (FILE_SECRETS as readonly string[]).includes(base) &&
            context.documentedVariables.has(base));
        if (!documented) problems.push(`${where}: ${name} is not a variable of the service (.env.example)`);
      }
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef && !m.configMap(source.configMapRef.name ?? '')) {
          problems.push(`${where}: ConfigMap ${source.configMapRef.name} is not in the manifests`);
        }
      }
      const config = parsedConfig(m, container, where);
      if (typeof config === 'string') problems.push(config);
      else if (container === m.apiContainer && config.port !== m.apiPort) {
        problems.push(`${where}: listens on ${config.port}, the container port is ${m.apiPort}`);
      }
    }
    return problems;
  },

  prometheusRule(m, context) {
    const rules = m.ofKind<IPrometheusRule>('PrometheusRule');
    if (rules.length !== 1) return [`expected one PrometheusRule, found ${rules.length}`];
    return isDeepStrictEqual(rules[0].spec.groups, context.alertGroups)
      ? []
      : [`${objectName(rules[0])}: its groups differ from deploy/prometheus/alerts.yml`];
  },
};

/** The groups of an alerts.yml text, as plain data. */
export function alertGroups(alertsText: string): unknown {
  return (parseYaml(alertsText) as { groups: unknown }).groups;
}
