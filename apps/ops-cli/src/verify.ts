import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readProcessEnvironment } from '@app/config';
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

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A check that did not pass; its message is the checklist detail. */
class CheckFailed extends Error {}

const PAUSE_MS = 200;
const PROPAGATION_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Deployment {
  private readonly deadline: number;

  constructor(private readonly options: VerifyOptions) {
    this.deadline = Date.now() + options.timeoutMs;
  }

  get timeLeftMs(): number {
    return this.deadline - Date.now();
  }

  async send(method: string, path: string, headers: Record<string, string> = {}, json?: unknown): Promise<Reply> {
    if (this.timeLeftMs <= 0) throw new CheckFailed('not run: the time budget is used up');
    let res: Response;
    try {
      res = await fetch(`${this.options.url}${path}`, {
        method,
        headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: json === undefined ? undefined : JSON.stringify(json),
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(10000, this.timeLeftMs)),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CheckFailed(
        `cannot reach ${this.options.url} (${cause?.code ?? cause?.message ?? (error as Error).name})`,
      );
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body, text };
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

function expectStatus(reply: Reply, expected: number, what: string): void {
  if (reply.status === expected) return;
  const message = (reply.body as { message?: unknown } | null)?.message;
  const retry = reply.headers.get('retry-after');
  throw new CheckFailed(
    `${what} answered ${reply.status}${typeof message === 'string' ? ` (${message})` : ''}` +
      (reply.status === 429 && retry ? `; retry in ${retry}s` : ''),
  );
}

/** Polls until `done` holds: with several instances, key changes reach the others within about a second. */
async function settle(fetchReply: () => Promise<Reply>, done: (reply: Reply) => boolean): Promise<Reply> {
  const until = Date.now() + PROPAGATION_MS;
  for (;;) {
    const reply = await fetchReply();
    if (done(reply) || Date.now() > until) return reply;
    await sleep(PAUSE_MS);
  }
}

export async function verify(argv: string[], print: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
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
  });
  if (values.help) {
    print(VERIFY_USAGE);
    return;
  }
  const options = resolveVerifyOptions(values, readProcessEnvironment());
  const api = new Deployment(options);
  const started = Date.now();
  const results: CheckResult[] = [];
  print(
    `Verifying ${options.url} (admin key ${options.adminKey ? 'set' : 'NOT set'}, ` +
      `tenant key ${options.tenantKey ? 'set' : 'NOT set'})`,
  );

  const check = async (name: string, run: () => Promise<string>): Promise<boolean> => {
    let result: CheckResult;
    try {
      result = { name, ok: true, detail: await run() };
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      result = { name, ok: false, detail: error.message };
    }
    results.push(result);
    print(formatCheck(result));
    return result.ok;
  };
  const skip = (name: string, reason: string) => check(name, () => Promise.reject(new CheckFailed(reason)));

  await check('health', async () => {
    const reply = await api.send('GET', '/health');
    expectStatus(reply, 200, 'GET /health');
    const body = reply.body as { status?: string; version?: string; checks?: Record<string, string> };
    const checks = Object.entries(body.checks ?? {})
      .map(([dependency, state]) => `${dependency} ${state}`)
      .join(', ');
    if (body.status !== 'ok') throw new CheckFailed(`status ${body.status} (${checks})`);
    return `ok, version ${body.version} (${checks})`;
  });

  await check('readyz', async () => {
    const reply = await api.send('GET', '/readyz');
    const body = reply.body as { status?: string; reason?: string };
    if (reply.status !== 200) throw new CheckFailed(`${reply.status} ${body.status ?? ''} ${body.reason ?? ''}`.trim());
    return body.status ?? 'ready';
  });

  await check('metrics names present', async () => {
    const headers: Record<string, string> = options.metricsToken
      ? { authorization: `Bearer ${options.metricsToken}` }
      : {};
    const reply = await api.send('GET', '/metrics', headers);
    if (reply.status === 401) {
      throw new CheckFailed(
        options.metricsToken
          ? 'GET /metrics refused the bearer token (METRICS_TOKEN differs from the server)'
          : 'GET /metrics needs a bearer token: set METRICS_TOKEN or pass --metrics-token',
      );
    }
    expectStatus(reply, 200, 'GET /metrics');
    const missing = missingMetrics(reply.text);
    if (missing.length > 0) throw new CheckFailed(`missing ${missing.join(', ')}`);
    return 'api_tenants_count, http_requests_total, http_request_duration_seconds, rate_limit_backend_up';
  });

  await check('x-request-id echoed', async () => {
    const id = `verify-${randomBytes(6).toString('hex')}`;
    const echoed = (await api.send('GET', '/health', { 'x-request-id': id })).headers.get('x-request-id');
    if (echoed !== id) throw new CheckFailed(`sent ${id}, got ${echoed ?? 'no header'}`);
    return id;
  });

  await check('security headers', async () => {
    const reply = await api.send('GET', '/health');
    const problems = securityHeaderProblems((name) => reply.headers.get(name));
    if (problems.length > 0) throw new CheckFailed(problems.join(', '));
    return 'x-content-type-options, x-frame-options, content-security-policy, referrer-policy; no x-powered-by';
  });

  await check('bad key rejected with 401', async () => {
    const key = `verify-not-a-key-${randomBytes(8).toString('hex')}`;
    const reply = await api.send('GET', '/ops/model-status', { 'x-api-key': key });
    expectStatus(reply, 401, 'GET /ops/model-status with an unknown key');
    return '401';
  });

  await check('admin tenants listing', async () => {
    const reply = await api.send('GET', '/ops/tenants', api.admin());
    expectStatus(reply, 200, 'GET /ops/tenants');
    const body = reply.body as { count?: number };
    return `${body.count} tenant${body.count === 1 ? '' : 's'} with active keys`;
  });

  await check('reload-auth', async () => {
    const reply = await api.send('POST', '/ops/reload-auth', api.admin());
    expectStatus(reply, 200, 'POST /ops/reload-auth');
    const body = reply.body as { keys?: number; tenants?: number };
    return `${body.keys} active keys, ${body.tenants} tenants`;
  });

  const found: { tenant: string | null } = { tenant: null };
  await check('tenant key accepted', async () => {
    const reply = await api.send('GET', '/ops/model-status', api.tenant());
    expectStatus(reply, 200, 'GET /ops/model-status with the tenant key');
    const served = (reply.body as { tenant?: string }).tenant;
    if (!served || served === 'public') throw new CheckFailed(`the key was served as tenant ${served}`);
    found.tenant = served;
    return `tenant ${served}`;
  });
  const tenant = found.tenant;

  const temporary = { id: '', key: '' };
  const minted =
    tenant !== null
      ? await check('temporary key minted', async () => {
          const reply = await api.send('POST', `/ops/tenants/${tenant}/keys`, api.admin(), { expiresInDays: 1 });
          expectStatus(reply, 201, `POST /ops/tenants/${tenant}/keys`);
          Object.assign(temporary, reply.body as { id: string; key: string });
          return `key ${temporary.id} for ${tenant} (expires in 1 day)`;
        })
      : await skip('temporary key minted', 'not run: the tenant key was not accepted');

  if (minted) {
    await check('temporary key works', async () => {
      const reply = await settle(
        () => api.send('GET', '/ops/model-status', { 'x-api-key': temporary.key }),
        (r) => r.status !== 401,
      );
      expectStatus(reply, 200, 'GET /ops/model-status with the temporary key');
      return `served as tenant ${(reply.body as { tenant?: string }).tenant}`;
    });
    const revoked = await check('temporary key revoked', async () => {
      const reply = await api.send('DELETE', `/ops/tenants/${tenant}/keys/${temporary.id}`, api.admin());
      expectStatus(reply, 200, `DELETE /ops/tenants/${tenant}/keys/${temporary.id}`);
      return `revoked at ${(reply.body as { revokedAt?: string }).revokedAt}`;
    });
    if (revoked) {
      await check('revoked key rejected', async () => {
        const reply = await settle(
          () => api.send('GET', '/ops/model-status', { 'x-api-key': temporary.key }),
          (r) => r.status === 401,
        );
        expectStatus(reply, 401, 'GET /ops/model-status with the revoked key');
        return '401';
      });
    } else {
      await skip('revoked key rejected', `not run: revoke it by hand (key id ${temporary.id}); it expires in 1 day`);
    }
  } else {
    await skip('temporary key works', 'not run: no temporary key');
    await skip('temporary key revoked', 'not run: no temporary key');
    await skip('revoked key rejected', 'not run: no temporary key');
  }

  await check('CORS refuses a foreign origin', async () => {
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
  });

  if (options.corsOrigin) {
    const origin = options.corsOrigin;
    await check(`CORS admits ${origin}`, async () => {
      const allowed = (await api.send('GET', '/health', { origin })).headers.get('access-control-allow-origin');
      if (allowed !== origin) throw new CheckFailed(`Access-Control-Allow-Origin is ${allowed ?? 'absent'}`);
      return 'allowed';
    });
  }

  if (options.tenantKey) {
    const observations: RateLimitObservation[] = [];
    let failure: CheckFailed | null = null;
    try {
      while (observations.length < options.maxRateLimitRequests) {
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
    const verdict = judgeRateLimit(observations, options.maxRateLimitRequests);
    await check(verdict.name, async () => {
      if (failure && !verdict.ok) throw new CheckFailed(`${failure.message} after ${observations.length} requests`);
      if (!verdict.ok) throw new CheckFailed(verdict.detail);
      return verdict.detail;
    });
  } else {
    await skip('rate limiting reaches 429 within the ops limit', 'not run: no tenant key');
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = summarize(results);
  if (results.some((r) => !r.ok)) throw new Error(`${summary} (${seconds} s)`);
  print(`${summary} (${seconds} s)`);
}
