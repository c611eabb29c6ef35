import { join } from 'node:path';
import { CommandResult, REPO_ROOT, runCommand } from './support/api-process';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { freePort } from './support/redis-server';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/** Runs the verify command the way the docs say: through the shell wrapper (npm run verify). */
function verify(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand('bash', [join(REPO_ROOT, 'scripts/verify_production_ready.sh'), ...args], env);
}

const UI_ORIGIN = 'https://ui.example.com';
const METRICS_TOKEN = 'verify-metrics-token-0123456789';

const CHECKS = [
  'health',
  'readyz',
  'metrics names present',
  'x-request-id echoed',
  'security headers',
  'bad key rejected with 401',
  'admin tenants listing',
  'reload-auth',
  'tenant key accepted',
  'temporary key minted',
  'temporary key works',
  'temporary key revoked',
  'revoked key rejected',
  'CORS refuses a foreign origin',
  `CORS admits ${UI_ORIGIN}`,
  'rate limiting reaches 429 within the ops limit',
];

describe('verify CLI against a production-like API', () => {
  let db: TestDatabase;
  let t: TestApp;
  const tenant = uniqueTenant('VF');
  const tenantKey = randomKey('vf');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: {
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        [`API_KEY_${tenant}`]: tenantKey,
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_OPS: '8/minute',
        CORS_ORIGINS: UI_ORIGIN,
        ALLOWED_HOSTS: '127.0.0.1,localhost',
        METRICS_TOKEN,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('passes every check, leaves no temporary key behind and never prints a key', async () => {
    const res = await verify(['--url', t.url, '--cors-origin', UI_ORIGIN], {
      API_ADMIN_KEY: ADMIN_KEY,
      API_KEY_EXPERTCO: tenantKey,
      METRICS_TOKEN,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Verifying ${t.url} (admin key set, tenant key set)`);
    expect(lines.slice(1, -1).map((line) => line.replace(/: .*$/, ''))).toEqual(CHECKS.map((name) => `✓ ${name}`));
    expect(lines.at(-1)).toMatch(new RegExp(`^All ${CHECKS.length} checks passed\\. \\(\\d+\\.\\d s\\)$`));
    expect(res.stdout).toContain(`✓ tenant key accepted: tenant ${tenant}`);
    expect(res.stdout).toMatch(
      /✓ rate limiting reaches 429 within the ops limit: 429 on request \d \(limit 8 per window\)/,
    );
    for (const secret of [ADMIN_KEY, tenantKey, METRICS_TOKEN]) expect(res.stdout).not.toContain(secret);

    const listing = await t.http().get('/ops/tenants').set('x-admin-key', ADMIN_KEY).expect(200);
    const entry = (
      listing.body as { tenants: Array<{ tenant: string; keys: Array<{ source: string }> }> }
    ).tenants.find((x) => x.tenant === tenant);
    expect(entry?.keys.map((k) => k.source)).toEqual(['env']);
  });

  it('fails with a wrong admin key, naming the admin checks', async () => {
    const res = await verify(['--url', t.url, '--admin-key', 'wrong-admin-key-0123456789abcdef'], {
      API_KEY_EXPERTCO: tenantKey,
      METRICS_TOKEN,
    });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('✗ admin tenants listing: GET /ops/tenants answered 401');
    expect(res.stdout).toContain('✗ reload-auth: POST /ops/reload-auth answered 401');
    expect(res.stderr).toMatch(/verify: \d+ of \d+ checks failed: .*admin tenants listing/);
  });

  it('fails without the metrics token when /metrics requires one', async () => {
    const res = await verify(['--url', t.url], { API_ADMIN_KEY: ADMIN_KEY, API_KEY_EXPERTCO: tenantKey });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('✗ metrics names present: GET /metrics needs a bearer token');
  });
});

describe('verify CLI against a misconfigured API', () => {
  let db: TestDatabase;
  let t: TestApp;
  const tenantKey = randomKey('mc');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      listen: true,
      env: {
        REQUIRE_API_KEY: 'true',
        API_ADMIN_KEY: ADMIN_KEY,
        [`API_KEY_${uniqueTenant('MC')}`]: tenantKey,
        RATE_LIMIT_ENABLED: 'false',
        CORS_ORIGINS: '*',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('fails when rate limiting is off and any origin is allowed', async () => {
    const res = await verify(['--url', t.url], { API_ADMIN_KEY: ADMIN_KEY, API_KEY_EXPERTCO: tenantKey });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('✓ temporary key works');
    expect(res.stdout).toContain(
      '✗ rate limiting reaches 429 within the ops limit: no 429 after 100 requests; no X-RateLimit-* headers',
    );
    expect(res.stdout).toContain('✗ CORS refuses a foreign origin: https://verify.invalid was allowed');
    expect(res.stderr).toContain('verify: 2 of 15 checks failed');
  });

  it('fails when the API is unreachable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const res = await verify(['--url', closed], { API_ADMIN_KEY: ADMIN_KEY });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain(`✗ health: cannot reach the API at ${closed} (ECONNREFUSED)`);
    expect(res.stdout).toContain('✗ rate limiting reaches 429 within the ops limit: not run: no tenant key');
  });

  it('rejects unknown flags', async () => {
    const res = await verify(['--frobnicate']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--frobnicate');
  });
});
