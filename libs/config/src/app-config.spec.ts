import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, DEFAULT_DATABASE_URL, isLoopbackHost, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigValidationError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      isProduction: false,
      port: 8000,
      host: '127.0.0.1',
      logLevel: 'info',
      corsOrigins: [],
      allowedHosts: [],
      trustProxy: false,
      bodyLimitBytes: 100 * 1024,
      swaggerEnabled: true,
      shutdownGraceMs: 10000,
    });
    expect(config.database).toEqual({
      kind: 'sqlite',
      url: DEFAULT_DATABASE_URL,
      sqlitePath: './data/customer-ops.sqlite',
      migrationsRun: true,
    });
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '  ' }).port).toBe(8000);
  });

  it('parses every variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '9000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://app:secret@db:5432/customer_ops',
      MIGRATIONS_RUN: 'false',
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: 'https://ui.example.com, http://localhost:3000',
      ALLOWED_HOSTS: 'API.example.com,*.api.example.com',
      TRUST_PROXY: '1',
      BODY_LIMIT: '2mb',
      SWAGGER_ENABLED: 'no',
      SHUTDOWN_GRACE_MS: '2500',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      isProduction: true,
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'warn',
      corsOrigins: ['https://ui.example.com', 'http://localhost:3000'],
      allowedHosts: ['api.example.com', '*.api.example.com'],
      trustProxy: 1,
      bodyLimitBytes: 2 * 1024 * 1024,
      swaggerEnabled: false,
      shutdownGraceMs: 2500,
    });
    expect(config.database).toMatchObject({ kind: 'postgres', migrationsRun: false });
  });

  it.each([
    ['false', false],
    ['off', false],
    ['1', 1],
    ['2', 2],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
  ])('parses TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'TRUE', 'yes', 'on'])('refuses TRUST_PROXY=%s, explaining why and what to set', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual(['TRUST_PROXY']);
    try {
      loadConfig({ TRUST_PROXY: value });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('forge');
      expect(message).toContain('X-Forwarded-For');
      expect(message).toContain('per-IP limits');
      expect(message).toMatch(/number of proxies .*\(e\.g\. 1\)/);
      expect(message).toContain('addresses/CIDRs');
    }
  });

  it('binds to loopback outside production and to every interface in production, unless HOST says', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['api.internal', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('parses the start-up, slow-client, Redis command and metrics settings with their defaults', () => {
    expect(loadConfig({})).toMatchObject({
      startupTimeoutMs: 30000,
      serverTimeouts: { headersMs: 10000, requestMs: 30000, keepAliveMs: 5000 },
      redisCommandTimeoutMs: 100,
      metricsDefault: false,
    });
    expect(
      loadConfig({
        STARTUP_TIMEOUT_MS: '5000',
        HEADERS_TIMEOUT_MS: '1000',
        REQUEST_TIMEOUT_MS: '2000',
        KEEP_ALIVE_TIMEOUT_MS: '65000',
        REDIS_COMMAND_TIMEOUT_MS: '250',
        METRICS_DEFAULT: 'true',
      }),
    ).toMatchObject({
      startupTimeoutMs: 5000,
      serverTimeouts: { headersMs: 1000, requestMs: 2000, keepAliveMs: 65000 },
      redisCommandTimeoutMs: 250,
      metricsDefault: true,
    });
    const bad = {
      STARTUP_TIMEOUT_MS: '0',
      HEADERS_TIMEOUT_MS: 'soon',
      REQUEST_TIMEOUT_MS: '1.5',
      KEEP_ALIVE_TIMEOUT_MS: '-1',
      REDIS_COMMAND_TIMEOUT_MS: '60001',
      METRICS_DEFAULT: 'maybe',
    };
    expect(problemsOf(bad).sort()).toEqual(Object.keys(bad).sort());
  });

  it('refuses HEADERS_TIMEOUT_MS above REQUEST_TIMEOUT_MS', () => {
    expect(problemsOf({ HEADERS_TIMEOUT_MS: '40000' })).toEqual(['HEADERS_TIMEOUT_MS']);
    expect(problemsOf({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '4000' })).toEqual(['HEADERS_TIMEOUT_MS']);
    expect(loadConfig({ HEADERS_TIMEOUT_MS: '4000', REQUEST_TIMEOUT_MS: '4000' }).serverTimeouts.headersMs).toBe(4000);
  });

  it('parses JSON_MAX_DEPTH (default 32) and refuses values outside 1-256', () => {
    expect(loadConfig({}).jsonMaxDepth).toBe(32);
    expect(loadConfig({ JSON_MAX_DEPTH: '8' }).jsonMaxDepth).toBe(8);
    for (const bad of ['0', '257', '2.5', 'deep']) {
      expect(() => loadConfig({ JSON_MAX_DEPTH: bad })).toThrow('JSON_MAX_DEPTH must be an integer from 1 to 256');
    }
  });

  it('accepts sqlite paths and :memory:', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database.sqlitePath).toBe(':memory:');
    expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/co/db.sqlite' }).database.sqlitePath).toBe(
      '/var/lib/co/db.sqlite',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).database.kind).toBe('postgres');
  });

  it('lists every bad variable at once', () => {
    const bad = {
      NODE_ENV: 'staging',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      MIGRATIONS_RUN: 'maybe',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'ui.example.com/path',
      ALLOWED_HOSTS: 'api.example.com:8000',
      TRUST_PROXY: 'everyone!',
      BODY_LIMIT: 'huge',
      SWAGGER_ENABLED: 'yes please',
      SHUTDOWN_GRACE_MS: '-5',
    };
    expect(problemsOf(bad).sort()).toEqual(Object.keys(bad).sort());
    try {
      loadConfig(bad);
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid configuration \(11 problems\)/);
      expect((error as Error).message).toContain('PORT: PORT must be an integer from 0 to 65535');
    }
  });

  it.each([
    ['PORT', '70000'],
    ['SHUTDOWN_GRACE_MS', '1.5'],
    ['HOST', 'bad host'],
  ])('rejects %s=%s', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([name]);
  });

  it('defaults REQUIRE_API_KEY to true in production and false elsewhere', () => {
    expect(loadConfig({}).requireApiKey).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).requireApiKey).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', REQUIRE_API_KEY: 'false' }).requireApiKey).toBe(false);
    expect(loadConfig({ REQUIRE_API_KEY: 'true' }).requireApiKey).toBe(true);
  });

  it('defaults SWAGGER_ENABLED to false in production and true elsewhere', () => {
    const production = { NODE_ENV: 'production', API_ADMIN_KEY: 'x'.repeat(32) };
    expect(loadConfig(production).swaggerEnabled).toBe(false);
    expect(loadConfig({ ...production, SWAGGER_ENABLED: 'true' }).swaggerEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).swaggerEnabled).toBe(true);
  });

  it('has no admin key unless one is set', () => {
    expect(loadConfig({}).adminKey).toBeNull();
    expect(loadConfig({ API_ADMIN_KEY: 'short' }).adminKey).toBe('short');
  });

  it('refuses an API_ADMIN_KEY shorter than 32 characters in production, without echoing it', () => {
    expect(problemsOf({ NODE_ENV: 'production', API_ADMIN_KEY: 'x'.repeat(31) })).toEqual(['API_ADMIN_KEY']);
    try {
      loadConfig({ NODE_ENV: 'production', API_ADMIN_KEY: 'tooshort-secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('tooshort-secret');
    }
    expect(loadConfig({ NODE_ENV: 'production', API_ADMIN_KEY: 'x'.repeat(32) }).adminKey).toHaveLength(32);
  });

  it('parses REDIS_URL and API_KEYS_FILE', () => {
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({}).apiKeysFile).toBe('./config/api-keys.env');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl).toBe('redis://127.0.0.1:6379/2');
    expect(problemsOf({ REDIS_URL: 'http://nope' })).toEqual(['REDIS_URL']);
  });

  it('parses REDIS_CLUSTER_NODES into host and port pairs', () => {
    expect(loadConfig({}).redisClusterNodes).toBeNull();
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' redis-1:6379, 10.0.0.2:7000 ,[::1]:7001,' }).redisClusterNodes).toEqual([
      { host: 'redis-1', port: 6379 },
      { host: '10.0.0.2', port: 7000 },
      { host: '::1', port: 7001 },
    ]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis:1' }).redisClusterNodes).toEqual([{ host: 'redis', port: 1 }]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis:65535' }).redisUrl).toBeNull();
  });

  it.each([
    ',',
    'redis',
    'redis:',
    ':6379',
    'redis:0',
    'redis:65536',
    'redis:6379,redis-2',
    'redis://redis:6379',
    'user:pw@redis:6379',
    'redis:6379/0',
    '::1:6379',
    '-redis:6379',
  ])('refuses REDIS_CLUSTER_NODES=%s, naming the variable', (value) => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: value })).toEqual(['REDIS_CLUSTER_NODES']);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: value })).toThrow(
      'REDIS_CLUSTER_NODES must be a comma-separated list of at least one host:port (port 1-65535)',
    );
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, also when REDIS_URL comes from a file', () => {
    const both = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' };
    expect(problemsOf(both)).toEqual(['REDIS_CLUSTER_NODES']);
    expect(() => loadConfig(both)).toThrow('set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES');
    const dir = mkdtempSync(join(tmpdir(), 'co-config-'));
    try {
      const file = join(dir, 'redis-url');
      writeFileSync(file, 'redis://127.0.0.1:6379\n');
      expect(problemsOf({ REDIS_URL_FILE: file, REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toEqual([
        'REDIS_CLUSTER_NODES',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses rate limits with their defaults', () => {
    expect(loadConfig({}).rateLimit).toEqual({
      enabled: true,
      ops: { limit: 5, ttlMs: 60_000, text: '5/minute' },
      default: { limit: 60, ttlMs: 60_000, text: '60/minute' },
      fallback: 'open',
      authFailures: { limit: 20, ttlMs: 60_000, text: '20/minute' },
      adminAuthFailures: { limit: 10, ttlMs: 60_000, text: '10/minute' },
    });
    const custom = loadConfig({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_OPS: '10/second',
      RATE_LIMIT_DEFAULT: '1000/hours',
      RATE_LIMIT_FALLBACK: 'memory',
    }).rateLimit;
    expect(custom).toMatchObject({ enabled: false, fallback: 'memory' });
    expect(custom.ops).toMatchObject({ limit: 10, ttlMs: 1000 });
    expect(custom.default).toMatchObject({ limit: 1000, ttlMs: 3_600_000 });
  });

  it.each(['5', '5/min', 'five/minute', '0/minute', '/minute', '5/fortnight', '-1/second'])(
    'refuses RATE_LIMIT_OPS=%s with a clear message',
    (value) => {
      expect(problemsOf({ RATE_LIMIT_OPS: value })).toEqual(['RATE_LIMIT_OPS']);
    },
  );

  it('refuses an unknown RATE_LIMIT_FALLBACK', () => {
    expect(problemsOf({ RATE_LIMIT_FALLBACK: 'closed' })).toEqual(['RATE_LIMIT_FALLBACK']);
  });

  it('parses the model settings', () => {
    expect(loadConfig({}).model).toEqual({ minSamples: 50, minAuc: 0.6, staleHours: 168 });
    expect(loadConfig({ MODEL_MIN_SAMPLES: '10', MODEL_MIN_AUC: '0.7', MODEL_STALE_HOURS: '24' }).model).toEqual({
      minSamples: 10,
      minAuc: 0.7,
      staleHours: 24,
    });
    expect(problemsOf({ MODEL_MIN_SAMPLES: '1', MODEL_MIN_AUC: '1.5', MODEL_STALE_HOURS: 'soon' }).sort()).toEqual([
      'MODEL_MIN_AUC',
      'MODEL_MIN_SAMPLES',
      'MODEL_STALE_HOURS',
    ]);
  });

  it('refuses CORS_ORIGINS=* in production but allows it in development', () => {
    expect(problemsOf({ NODE_ENV: 'production', CORS_ORIGINS: '*' })).toEqual(['CORS_ORIGINS']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });
});
