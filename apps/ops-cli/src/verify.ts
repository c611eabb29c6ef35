import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readProcessEnvironment } from '@app/config';
import { ApiClient, ApiError, ApiReply } from './api-client';
import {
  CheckResult,
  FOREIGN_ORIGIN,
  formatCheck,
  judgeRateLimit,
  missingMetrics,
  RateLimitObservation,
  resolveVerifyOptions,
  securityHeaderProblems,
  summarize,
  VerifyOptions,
} from './verify-checks';

export const VERIFY_USAGE = `Usage: npm run verify -- [--url http://localhost:8000] [--admin-key KEY] [--tenant-key KEY]
                         [--metrics-token TOKEN] [--cors-origin https://ui.example.com] [--timeout-seconds 60]

Smoke-tests a running deployment and prints a checklist; exits 1 when any check fails.
Keys come from the flags or the environment: API_ADMIN_KEY (or API_ADMIN_KEY_FILE), API_KEY_EXPERTCO
(a tenant key), METRICS_TOKEN (or METRICS_TOKEN_FILE; when /metrics needs a bearer token); the URL
may also come from CUSTOMER_OPS_URL.
It mints a temporary key for the tenant key's tenant and revokes it, and it uses up that
tenant's /ops rate-limit budget for the current window.`;

/** A check that did not pass; its message is the checklist detail. */
class CheckFailed extends Error {}

const PAUSE_MS = 200;
const PROPAGATION_MS = 3000;
const REQUEST_TIMEOUT_MS = 10000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The deployment under test: one API client, within the run's time budget, and the keys to use. */
class Deployment {
  private readonly client: ApiClient;
  private readonly deadline: number;

  constructor(readonly options: VerifyOptions) {
    this.client = new ApiClient(options.url);
    this.deadline = Date.now() + options.timeoutMs;
  }

  async send(method: string, path: string, headers: Record<string, string> = {}, json?: unknown): Promise<ApiReply> {
    const timeLeftMs = this.deadline - Date.now();
    if (timeLeftMs <= 0) throw new CheckFailed('not run: the time budget is used up');
    try {
      return await this.client.send(method, path, {
        headers,
        json,
        timeoutMs: Math.min(REQUEST_TIMEOUT_MS, timeLeftMs),
      });
    } catch (error) {
      if (error instanceof ApiError) throw new CheckFailed(error.message);
      throw error;
    }
  }

  admin(): Record<string, string> {
    if (!this.options.adminKey) throw new CheckFailed('no admin key: set API_ADMIN_KEY or pass --admin-key');
    return { 'x-admin-key': this.options.adminKey };
  }

  tenant(): Record<string, string> {
    if (!this.options.tenantKey) throw new CheckFailed('no tenant key: set API_KEY_EXPERTCO or pass --tenant-key');
    return { 'x-api-key': this.options.tenantKey };
  }
}

function expectStatus(reply: ApiReply, expected: number, what: string): void {
  if (reply.status === expected) return;
  const message = (reply.body as { message?: unknown } | null)?.message;
  const retry = reply.headers.get('retry-after');
  throw new CheckFailed(
    `${what} answered ${reply.status}${typeof message === 'string' ? ` (${message})` : ''}` +
      (reply.status === 429 && retry ? `; retry in ${retry}s` : ''),
  );
}

/** Polls until `done` holds: with several instances, key changes reach the others within about a second. */
async function settle(fetchReply: () => Promise<ApiReply>, done: (reply: ApiReply) => boolean): Promise<ApiReply> {
  const until = Date.now() + PROPAGATION_MS;
  for (;;) {
    const reply = await fetchReply();
    if (done(reply) || Date.now() > until) return reply;
    await sleep(PAUSE_MS);
  }
}

/** The checklist: each check's result is printed as it comes; a skipped check counts as failed. */
class Checklist {
  readonly results: CheckResult[] = [];

  constructor(private readonly print: (line: string) => void) {}

  async check(name: string, run: () => Promise<string>): Promise<boolean> {
    let result: CheckResult;
    try {
      result = { name, ok: true, detail: await run() };
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      result = { name, ok: false, detail: error.message };
    }
    this.results.push(result);
    this.print(formatCheck(result));
    return result.ok;
  }

  skip(name: string, reason: string): Promise<boolean> {
    return this.check(name, () => Promise.reject(new CheckFailed(reason)));
  }
}

// The checks, in the order they run. Each returns its checklist detail or throws CheckFailed.

async function health(api: Deployment): Promise<string> {
  const reply = await api.send('GET', '/health');
  expectStatus(reply, 200, 'GET /health');
  const body = reply.body as { status?: string; version?: string; checks?: Record<string, string> };
  const checks = Object.entries(body.checks ?? {})
    .map(([dependency, state]) => `${dependency} ${state}`)
    .join(', ');
  if (body.status !== 'ok') throw new CheckFailed(`status ${body.status} (${checks})`);
  return `ok, version ${body.version} (${checks})`;
}

async function readiness(api: Deployment): Promise<string> {
  const reply = await api.send('GET', '/readyz');
  const body = reply.body as { status?: string; reason?: string };
  if (reply.status !== 200) throw new CheckFailed(`${reply.status} ${body.status ?? ''} ${body.reason ?? ''}`.trim());
  return body.status ?? 'ready';
}

async function metricNames(api: Deployment): Promise<string> {
  const token = api.options.metricsToken;
  const reply = await api.send('GET', '/metrics', token ? { authorization: `Bearer ${token}` } : {});
  if (reply.status === 401) {
    throw new CheckFailed(
      token
        ? 'GET /metrics refused the bearer token (METRICS_TOKEN differs from the server)'
        : 'GET /metrics needs a bearer token: set METRICS_TOKEN or pass --metrics-token',
    );
  }
  expectStatus(reply, 200, 'GET /metrics');
  const missing = missingMetrics(reply.text);
  if (missing.length > 0) throw new CheckFailed(`missing ${missing.join(', ')}`);
  return 'api_tenants_count, http_requests_total, http_request_duration_seconds, rate_limit_backend_up';
}

async function requestIdEchoed(api: Deployment): Promise<string> {
  const id = `verify-${randomBytes(6).toString('hex')}`;
  const echoed = (await api.send('GET', '/health', { 'x-request-id': id })).headers.get('x-request-id');
  if (echoed !== id) throw new CheckFailed(`sent ${id}, got ${echoed ?? 'no header'}`);
  return id;
}

async function securityHeaders(api: Deployment): Promise<string> {
  const reply = await api.send('GET', '/health');
  const problems = securityHeaderProblems((name) => reply.headers.get(name));
  if (problems.length > 0) throw new CheckFailed(problems.join(', '));
  return 'x-content-type-options, x-frame-options, content-security-policy, referrer-policy; no x-powered-by';
}

async function badKeyRejected(api: Deployment): Promise<string> {
  const key = `verify-not-a-key-${randomBytes(8).toString('hex')}`;
  const reply = await api.send('GET', '/ops/model-status', { 'x-api-key': key });
  expectStatus(reply, 401, 'GET /ops/model-status with an unknown key');
  return '401';
}

async function tenantsListing(api: Deployment): Promise<string> {
  const reply = await api.send('GET', '/ops/tenants', api.admin());
  expectStatus(reply, 200, 'GET /ops/tenants');
  const body = reply.body as { count?: number };
  return `${body.count} tenant${body.count === 1 ? '' : 's'} with active keys`;
}

async function reloadAuth(api: Deployment): Promise<string> {
  const reply = await api.send('POST', '/ops/reload-auth', api.admin());
  expectStatus(reply, 200, 'POST /ops/reload-auth');
  const body = reply.body as { keys?: number; tenants?: number };
  return `${body.keys} active keys, ${body.tenants} tenants`;
}

/** The tenant key is served as a real tenant; remembers which one in `found`. */
async function tenantKeyAccepted(api: Deployment, found: { tenant: string | null }): Promise<string> {
  const reply = await api.send('GET', '/ops/model-status', api.tenant());
  expectStatus(reply, 200, 'GET /ops/model-status with the tenant key');
  const served = (reply.body as { tenant?: string }).tenant;
  if (!served || served === 'public') throw new CheckFailed(`the key was served as tenant ${served}`);
  found.tenant = served;
  return `tenant ${served}`;
}

/** A key minted for the tenant works, and stops working once revoked (on every instance). */
async function temporaryKeyLifecycle(api: Deployment, list: Checklist, tenant: string | null): Promise<void> {
  const temporary = { id: '', key: '' };
  const minted =
    tenant !== null
      ? await list.check('temporary key minted', async () => {
          const reply = await api.send('POST', `/ops/tenants/${tenant}/keys`, api.admin(), { expiresInDays: 1 });
          expectStatus(reply, 201, `POST /ops/tenants/${tenant}/keys`);
          Object.assign(temporary, reply.body as { id: string; key: string });
          return `key ${temporary.id} for ${tenant} (expires in 1 day)`;
        })
      : await list.skip('temporary key minted', 'not run: the tenant key was not accepted');
  if (!minted) {
    await list.skip('temporary key works', 'not run: no temporary key');
    await list.skip('temporary key revoked', 'not run: no temporary key');
    await list.skip('revoked key rejected', 'not run: no temporary key');
    return;
  }
  const withKey = () => api.send('GET', '/ops/model-status', { 'x-api-key': temporary.key });
  await list.check('temporary key works', async () => {
    const reply = await settle(withKey, (r) => r.status !== 401);
    expectStatus(reply, 200, 'GET /ops/model-status with the temporary key');
    return `served as tenant ${(reply.body as { tenant?: string }).tenant}`;
  });
  const revoked = await list.check('temporary key revoked', async () => {
    const reply = await api.send('DELETE', `/ops/tenants/${tenant}/keys/${temporary.id}`, api.admin());
    expectStatus(reply, 200, `DELETE /ops/tenants/${tenant}/keys/${temporary.id}`);
    return `revoked at ${(reply.body as { revokedAt?: string }).revokedAt}`;
  });
  if (!revoked) {
    await list.skip('revoked key rejected', `not run: revoke it by hand (key id ${temporary.id}); it expires in 1 day`);
    return;
  }
  await list.check('revoked key rejected', async () => {
    const reply = await settle(withKey, (r) => r.status === 401);
    expectStatus(reply, 401, 'GET /ops/model-status with the revoked key');
    return '401';
  });
}

async function corsRefusesForeignOrigin(api: Deployment): Promise<string> {
  const simple = await api.send('GET', '/health', { origin: FOREIGN_ORIGIN });
  const preflight = await api.send('OPTIONS', '/v1/leads', {
    origin: FOREIGN_ORIGIN,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type,x-api-key',
  });
  const allowed = [simple, preflight]
    .map((reply) => reply.headers.get('access-control-allow-origin'))
    .filter((value) => value !== null);
  if (allowed.length > 0) {
    throw new CheckFailed(`${FOREIGN_ORIGIN} was allowed (Access-Control-Allow-Origin: ${allowed[0]})`);
  }
  return `no Access-Control-Allow-Origin for ${FOREIGN_ORIGIN}`;
}

async function corsAdmits(api: Deployment, origin: string): Promise<string> {
  const allowed = (await api.send('GET', '/health', { origin })).headers.get('access-control-allow-origin');
  if (allowed !== origin) throw new CheckFailed(`Access-Control-Allow-Origin is ${allowed ?? 'absent'}`);
  return 'allowed';
}

/** Spends the tenant's /ops budget until a 429 (or the cap), then judges what it saw. */
async function rateLimiting(api: Deployment, list: Checklist): Promise<void> {
  const observations: RateLimitObservation[] = [];
  let failure: CheckFailed | null = null;
  try {
    while (observations.length < api.options.maxRateLimitRequests) {
      const reply = await api.send('GET', '/ops/model-status', api.tenant());
      const limit = reply.headers.get('x-ratelimit-limit');
      observations.push({
        status: reply.status,
        limit: limit === null ? null : Number(limit),
        retryAfter: reply.headers.get('retry-after'),
      });
      if (reply.status !== 200) break;
    }
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
    failure = error;
  }
  const verdict = judgeRateLimit(observations, api.options.maxRateLimitRequests);
  await list.check(verdict.name, async () => {
    if (failure && !verdict.ok) throw new CheckFailed(`${failure.message} after ${observations.length} requests`);
    if (!verdict.ok) throw new CheckFailed(verdict.detail);
    return verdict.detail;
  });
}

function parseVerifyArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'admin-key': { type: 'string' },
      'tenant-key': { type: 'string' },
      'metrics-token': { type: 'string' },
      'cors-origin': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
}

export async function verify(argv: string[], print: (line: string) => void): Promise<void> {
  const values = parseVerifyArgs(argv);
  if (values.help) {
    print(VERIFY_USAGE);
    return;
  }
  const options = resolveVerifyOptions(values, readProcessEnvironment());
  const api = new Deployment(options);
  const list = new Checklist(print);
  const started = Date.now();
  print(
    `Verifying ${options.url} (admin key ${options.adminKey ? 'set' : 'NOT set'}, ` +
      `tenant key ${options.tenantKey ? 'set' : 'NOT set'})`,
  );

  await list.check('health', () => health(api));
  await list.check('readyz', () => readiness(api));
  await list.check('metrics names present', () => metricNames(api));
  await list.check('x-request-id echoed', () => requestIdEchoed(api));
  await list.check('security headers', () => securityHeaders(api));
  await list.check('bad key rejected with 401', () => badKeyRejected(api));
  await list.check('admin tenants listing', () => tenantsListing(api));
  await list.check('reload-auth', () => reloadAuth(api));
  const found: { tenant: string | null } = { tenant: null };
  await list.check('tenant key accepted', () => tenantKeyAccepted(api, found));
  await temporaryKeyLifecycle(api, list, found.tenant);
  await list.check('CORS refuses a foreign origin', () => corsRefusesForeignOrigin(api));
  const origin = options.corsOrigin;
  if (origin) await list.check(`CORS admits ${origin}`, () => corsAdmits(api, origin));
  if (options.tenantKey) await rateLimiting(api, list);
  else await list.skip('rate limiting reaches 429 within the ops limit', 'not run: no tenant key');

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = summarize(list.results);
  if (list.results.some((r) => !r.ok)) throw new Error(`${summary} (${seconds} s)`);
  print(`${summary} (${seconds} s)`);
}
