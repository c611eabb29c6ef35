import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { validateEnvironment, EnvironmentProblem } from './environment';
import { isSet, parseBoolean, parseByteSize, parseList } from './parse';
import { parseRateLimit, RateLimit } from './rate-limit';
import { resolveSecretFiles } from './secret-files';
import { parseDuration } from './duration';
import { parseRedisNodes, RedisNode } from './redis-nodes';

export type NodeEnv = 'development' | 'production' | 'test';
export type DatabaseKind = 'sqlite' | 'postgres';
/** false, a hop count, or proxy addresses/CIDRs; never `true` (see TRUST_PROXY in environment.ts). */
export type TrustProxySetting = false | number | string[];

export interface DatabaseConfig {
  kind: DatabaseKind;
  /** The URL as configured (may carry a password: never log it). */
  url: string;
  /** For SQLite: the file path (or ":memory:"). */
  sqlitePath?: string;
  migrationsRun: boolean;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Budget for /ops/* routes, per caller. */
  ops: RateLimit;
  /** Budget for /v1/* routes, per caller. */
  default: RateLimit;
  /** While Redis is unreachable: `open` serves every request, `memory` limits per instance. */
  fallback: 'open' | 'memory';
  /** Wrong or unknown tenant keys one client IP may present per window before it gets 429s. */
  authFailures: RateLimit;
  /** Wrong admin keys one client IP may present per window. */
  adminAuthFailures: RateLimit;
}

export interface ModelConfig {
  /** Labelled leads needed before a trained version may be activated. */
  minSamples: number;
  /** Hold-out AUC a trained version needs to be activated. */
  minAuc: number;
  /** Age after which /ops/model-status reports warning_stale. */
  staleHours: number;
}

/** Limits on how long a client may take to send a request, and how long an idle connection stays open. */
export interface ServerTimeoutsConfig {
  /** The request line and headers must arrive within this long (HEADERS_TIMEOUT_MS). */
  headersMs: number;
  /** The whole request, body included, must arrive within this long (REQUEST_TIMEOUT_MS). */
  requestMs: number;
  /** An idle keep-alive connection is closed after this long (KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveMs: number;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/customer-ops.sqlite';

/**
 * The service configuration, parsed and validated once at boot. Inject this class;
 * nothing else reads process.env.
 */
export class AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly isProduction: boolean;
  readonly version: string;
  readonly port: number;
  readonly host: string;
  /** The HTTP platform under Nest: express (default) or fastify, with identical behaviour. */
  readonly httpAdapter: 'express' | 'fastify';
  readonly database: DatabaseConfig;
  readonly logLevel: string;
  readonly corsOrigins: string[];
  readonly allowedHosts: string[];
  readonly trustProxy: TrustProxySetting;
  readonly bodyLimitBytes: number;
  /** Deepest nesting of objects and arrays a JSON body may have; deeper bodies get a 400. */
  readonly jsonMaxDepth: number;
  readonly swaggerEnabled: boolean;
  readonly shutdownGraceMs: number;
  /** main.ts gives up (one fatal line, exit 1) when the listener is not up after this long. */
  readonly startupTimeoutMs: number;
  /** Slow-client limits and the keep-alive idle timeout of the HTTP server. */
  readonly serverTimeouts: ServerTimeoutsConfig;
  /** true: every prom-client default metric, nodejs_version_info included; false: all but that one. */
  readonly metricsDefault: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. A secret: never log it. */
  readonly metricsToken: string | null;
  /** true: a request without x-api-key is 401; false: it is served as tenant `public`. */
  readonly requireApiKey: boolean;
  /** The operator's admin key (a secret). null: admin routes answer 403. */
  readonly adminKey: string | null;
  /** API_KEY_<TENANT>=<key> lines, re-read on every auth reload. */
  readonly apiKeysFile: string;
  /** Named plans (JSON), re-read on every auth reload; missing = only the built-in default plan. */
  readonly plansFile: string;
  /** Distinct `tenant` label values metrics carry before the rest are counted as `_other`. */
  readonly metricsTenantLabelLimit: number;
  /** Shared Redis for rate limits and fleet-wide auth reloads. null: single-instance mode (or a cluster). */
  readonly redisUrl: string | null;
  /** REDIS_CLUSTER_NODES: a Redis Cluster in place of REDIS_URL (never both). null: no cluster. */
  readonly redisClusterNodes: RedisNode[] | null;
  /** Namespace for every Redis key and channel, so deployments can share one Redis. */
  readonly redisKeyPrefix: string;
  /** Each Redis command (a rate-limit check) fails after this long, and the limiter degrades. */
  readonly redisCommandTimeoutMs: number;
  readonly rateLimit: RateLimitConfig;
  /** false: leads are stored with intent unknown, urgency medium, sentiment neutral, score 0.5. */
  readonly enrichmentEnabled: boolean;
  /** How often expired Idempotency-Key records are deleted (also once at start-up), in ms. */
  readonly idempotencyPurgeIntervalMs: number;
  readonly model: ModelConfig;

  constructor(values: Omit<AppConfig, never>) {
    Object.assign(this, values);
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: EnvironmentProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

function parseDatabase(url: string, migrationsRun: boolean): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { kind: 'sqlite', url, sqlitePath: path, migrationsRun };
  }
  return { kind: 'postgres', url, migrationsRun };
}

function parseTrustProxy(value: string | undefined): TrustProxySetting {
  if (!isSet(value)) return false;
  const v = value.trim().toLowerCase();
  if (/^\d+$/.test(v)) return Number(v);
  // `true` and its synonyms never get here: validation refuses them.
  if (['false', 'no', 'off'].includes(v)) return false;
  return parseList(value);
}

/** Whether `host` (HOST) is a loopback interface, unreachable from other machines. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

let cachedVersion: string | undefined;
/** The version from the nearest package.json above this file (works from src and dist). */
export function readAppVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aetherlink-customer-ops' && pkg.version) return (cachedVersion = pkg.version);
    }
    const parent = dirname(dir);
    if (parent === dir) return (cachedVersion = '0.0.0');
    dir = parent;
  }
}

export const MIN_PRODUCTION_ADMIN_KEY_LENGTH = 32;
export const DEFAULT_API_KEYS_FILE = './config/api-keys.env';
export const DEFAULT_PLANS_FILE = './config/plans.json';

/** Every cross-variable rule that a single field validator cannot express. */
function crossChecks(config: AppConfig): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  if (config.isProduction && config.corsOrigins.includes('*')) {
    problems.push({
      variable: 'CORS_ORIGINS',
      reason: 'must not contain * when NODE_ENV=production; list the allowed origins explicitly',
    });
  }
  if (config.serverTimeouts.headersMs > config.serverTimeouts.requestMs) {
    problems.push({
      variable: 'HEADERS_TIMEOUT_MS',
      reason: `must not exceed REQUEST_TIMEOUT_MS (${config.serverTimeouts.requestMs}): the headers are part of the request`,
    });
  }
  if (config.isProduction && config.adminKey !== null && config.adminKey.length < MIN_PRODUCTION_ADMIN_KEY_LENGTH) {
    problems.push({
      variable: 'API_ADMIN_KEY',
      reason: `must be at least ${MIN_PRODUCTION_ADMIN_KEY_LENGTH} characters when NODE_ENV=production`,
    });
  }
  if (config.redisUrl !== null && config.redisClusterNodes !== null) {
    problems.push({
      variable: 'REDIS_CLUSTER_NODES',
      reason: 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    });
  }
  return problems;
}

/**
 * Parses and validates an environment (normally process.env). Throws ConfigValidationError
 * listing every bad variable at once.
 */
export function loadConfig(raw: Record<string, string | undefined>): AppConfig {
  const secrets = resolveSecretFiles(raw);
  const { env, problems } = validateEnvironment(secrets.env);
  if (secrets.problems.length + problems.length > 0)
    throw new ConfigValidationError([...secrets.problems, ...problems]);

  const nodeEnv = (env.NODE_ENV ?? 'development') as NodeEnv;
  const config = new AppConfig({
    nodeEnv,
    isProduction: nodeEnv === 'production',
    version: readAppVersion(),
    port: env.PORT ?? 8000,
    // Outside production, loopback: a development instance (which may serve callers without a
    // key) is not reachable from the network unless HOST says so. Containers set HOST=0.0.0.0.
    host: env.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    httpAdapter: (env.HTTP_ADAPTER ?? 'express') as 'express' | 'fastify',
    database: parseDatabase(env.DATABASE_URL ?? DEFAULT_DATABASE_URL, parseBoolean(env.MIGRATIONS_RUN, true)),
    logLevel: env.LOG_LEVEL ?? 'info',
    corsOrigins: parseList(env.CORS_ORIGINS),
    allowedHosts: parseList(env.ALLOWED_HOSTS).map((h) => h.toLowerCase()),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    bodyLimitBytes: parseByteSize(env.BODY_LIMIT ?? '100kb'),
    jsonMaxDepth: env.JSON_MAX_DEPTH ?? 32,
    // The documents describe every route: off by default in production, where compose may turn them on.
    swaggerEnabled: parseBoolean(env.SWAGGER_ENABLED, nodeEnv !== 'production'),
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 10000,
    startupTimeoutMs: env.STARTUP_TIMEOUT_MS ?? 30000,
    serverTimeouts: {
      headersMs: env.HEADERS_TIMEOUT_MS ?? 10000,
      requestMs: env.REQUEST_TIMEOUT_MS ?? 30000,
      keepAliveMs: env.KEEP_ALIVE_TIMEOUT_MS ?? 5000,
    },
    metricsDefault: parseBoolean(env.METRICS_DEFAULT, false),
    metricsToken: env.METRICS_TOKEN ?? null,
    requireApiKey: parseBoolean(env.REQUIRE_API_KEY, nodeEnv === 'production'),
    adminKey: env.API_ADMIN_KEY ?? null,
    apiKeysFile: env.API_KEYS_FILE ?? DEFAULT_API_KEYS_FILE,
    plansFile: env.PLANS_FILE ?? DEFAULT_PLANS_FILE,
    metricsTenantLabelLimit: env.METRICS_TENANT_LABEL_LIMIT ?? 1000,
    redisUrl: env.REDIS_URL ?? null,
    redisClusterNodes: env.REDIS_CLUSTER_NODES ? parseRedisNodes(env.REDIS_CLUSTER_NODES) : null,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'customer-ops',
    redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS ?? 100,
    enrichmentEnabled: parseBoolean(env.ENABLE_ENRICHMENT, true),
    idempotencyPurgeIntervalMs: parseDuration(env.IDEMPOTENCY_PURGE_INTERVAL ?? '10m')!,
    model: {
      minSamples: env.MODEL_MIN_SAMPLES ?? 50,
      minAuc: env.MODEL_MIN_AUC ?? 0.6,
      staleHours: env.MODEL_STALE_HOURS ?? 168,
    },
    rateLimit: {
      enabled: parseBoolean(env.RATE_LIMIT_ENABLED, true),
      ops: parseRateLimit(env.RATE_LIMIT_OPS ?? '5/minute'),
      default: parseRateLimit(env.RATE_LIMIT_DEFAULT ?? '60/minute'),
      fallback: (env.RATE_LIMIT_FALLBACK ?? 'open') as 'open' | 'memory',
      authFailures: parseRateLimit(env.AUTH_FAILURE_LIMIT ?? '20/minute'),
      adminAuthFailures: parseRateLimit(env.ADMIN_AUTH_FAILURE_LIMIT ?? '10/minute'),
    },
  });
  const crossProblems = crossChecks(config);
  if (crossProblems.length > 0) throw new ConfigValidationError(crossProblems);
  return config;
}
