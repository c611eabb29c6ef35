import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { FRAMEWORK_ERROR_CODES } from '@app/http';
import { IdempotencyKeyEntity } from '../apps/customer-ops/src/leads/entities/idempotency-key.entity';
import { requestHash } from '../apps/customer-ops/src/leads/idempotency.service';
import { TcpProxy, viaPort } from './support/chaos';
import { FixturesController } from './support/fixtures.controller';
import { httpCall, HttpResult, rawHttp } from './support/http-client';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from './support/keys';
import { validLead } from './support/leads';
import { hasRedisServer, PrivateRedis } from './support/redis-server';
import { TestClock } from './support/test-clock';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * Every error code, three ways: each code the source can produce is documented in
 * docs/ERRORS.md, each documented code is in the OpenAPI enum, and each one is produced here
 * by a real request, with the status the documentation gives it.
 */
const ROOT = join(__dirname, '..');
const ENVELOPE_KEYS = ['code', 'error', 'message', 'requestId', 'statusCode'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Codes written as the literal second argument of a DomainError (subclass) constructor. */
function codesInSource(): { codes: Set<string>; constructions: number; literals: number } {
  const text = [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const literal = /(?:\bsuper|\bnew DomainError)\(\s*'[a-z_]+',\s*'([A-Z][A-Z0-9_]*)'/g;
  const codes = new Set([...text.matchAll(literal)].map((m) => m[1]));
  const constructions = (text.match(/\bextends DomainError\b|\bnew DomainError\(/g) ?? []).length;
  const literals = (text.match(literal) ?? []).length;
  return { codes, constructions, literals };
}

/** The code table of docs/ERRORS.md: code -> status. */
function documentedCodes(): Map<string, number> {
  const rows = readFileSync(join(ROOT, 'docs/ERRORS.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| `([A-Z][A-Z0-9_]*)` \| (\d{3}) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);
  const table = new Map<string, number>();
  for (const [, code, status] of rows) {
    if (table.has(code)) throw new Error(`docs/ERRORS.md lists ${code} twice`);
    table.set(code, Number(status));
  }
  return table;
}

describe('error codes: every code the source can produce is documented once', () => {
  it('the source, docs/ERRORS.md and the framework codes agree', () => {
    const { codes, constructions, literals } = codesInSource();
    // Every DomainError subclass and direct construction names its code as a literal, so the scan sees them all.
    expect(literals).toBeGreaterThanOrEqual(constructions);
    expect(codes.size).toBeGreaterThan(30);
    const thrown = new Set([...codes, ...Object.values(FRAMEWORK_ERROR_CODES)]);
    const documented = documentedCodes();
    expect([...thrown].filter((code) => !documented.has(code)).sort()).toEqual([]);
    expect([...documented.keys()].filter((code) => !thrown.has(code)).sort()).toEqual([]);
  });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

const fromHttp = (res: HttpResult): Answer => ({
  status: res.status,
  headers: res.headers,
  body: (res.body ?? {}) as Record<string, unknown>,
});

/** A raw HTTP/1.1 answer (status line, headers, JSON body), as read from a socket. */
function fromRaw(text: string): Answer {
  const [head, body = ''] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]), headers, body: JSON.parse(body) };
}

type Producer = () => Promise<Answer>;

const PLANS = {
  burst: { default: { windows: [{ limit: 1, window: '1m' }] } },
  metered: { default: { windows: [{ limit: 1000, window: '1m' }], quotas: { leadsPerMonth: 1 } } },
};

describe('error codes: each documented code is produced by a request', () => {
  const documented = documentedCodes();
  const seen = new Map<string, number>();
  let db: TestDatabase;
  const admin = { 'x-admin-key': ADMIN_KEY };
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Runs a producer and checks the envelope: the documented status and code, the request id. */
  async function expectCode(code: string, produce: Producer): Promise<Answer> {
    const answer = await produce();
    expect({ code: answer.body.code, status: answer.status }).toEqual({ code, status: documented.get(code) });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(
      Object.keys(answer.body)
        .filter((key) => key !== 'details')
        .sort(),
    ).toEqual(ENVELOPE_KEYS);
    expect(answer.body).toMatchObject({ statusCode: answer.status, error: STATUS_CODES[answer.status] });
    expect(answer.body.requestId).toBe(answer.headers['x-request-id']);
    seen.set(code, answer.status);
    return answer;
  }

  describe('an instance with keys, plans, limits, a metrics token and a host allow-list', () => {
    let t: TestApp;
    const clock = new TestClock(Date.parse('2026-12-15T10:00:00.000Z'));
    const envTenant = uniqueTenant('CODES');
    const envKey = randomKey('codes');
    const tenantAuth = { 'x-api-key': envKey };
    const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
      httpCall(t.url, { method, path, headers, body, timeoutMs: 10000 }).then(fromHttp);
    const sendJson = (method: string, path: string, headers: Record<string, string>, body: unknown) =>
      call(method, path, { ...json, ...headers }, JSON.stringify(body));
    const reload = (query = '') => call('POST', `/ops/reload-auth${query}`, admin);
    const onboard = async (plan: string): Promise<string> => {
      const tenant = uniqueTenant(plan.toUpperCase());
      const res = await sendJson('POST', '/ops/tenants', admin, { tenant, plan, mintKey: true });
      expect(res.status).toBe(201);
      return (res.body.key as { key: string }).key;
    };

    beforeAll(async () => {
      t = await startTestApp(db.url, {
        clock,
        listen: true,
        controllers: [FixturesController],
        env: {
          API_ADMIN_KEY: ADMIN_KEY,
          [`API_KEY_${envTenant}`]: envKey,
          REQUIRE_API_KEY: 'true',
          METRICS_TOKEN: 'metrics-token-for-error-codes',
          ALLOWED_HOSTS: '127.0.0.1',
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_OPS: '100000/minute',
          RATE_LIMIT_DEFAULT: '100000/minute',
          AUTH_FAILURE_LIMIT: '3/minute',
          BODY_LIMIT: '16kb',
          SWAGGER_ENABLED: 'true',
        },
      });
      writeFileSync(t.config.plansFile, JSON.stringify({ plans: PLANS }));
      expect((await reload()).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
      if (t) rmSync(t.config.apiKeysFile, { recursive: true, force: true });
    });

    const PRODUCERS: Record<string, Producer> = {
      MALFORMED_REQUEST: async () =>
        fromRaw(await rawHttp(t.url, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad\u0001Name: x\r\n\r\n')),
      HEADERS_TOO_LARGE: async () =>
        fromRaw(await rawHttp(t.url, `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'x'.repeat(20000)}\r\n\r\n`)),
      BAD_REQUEST: () => call('GET', '/v1/leads/%zz', tenantAuth),
      HOST_NOT_ALLOWED: () => call('GET', '/health', { host: 'evil.example' }),
      ROUTE_NOT_FOUND: () => call('GET', '/no/such/route'),
      METHOD_NOT_ALLOWED: async () => {
        const res = await call('DELETE', '/v1/leads', tenantAuth);
        expect(res.headers.allow).toBe('GET, POST');
        return res;
      },
      PAYLOAD_TOO_LARGE: () => sendJson('POST', '/v1/leads', tenantAuth, validLead({ details: 'd'.repeat(20000) })),
      UNSUPPORTED_MEDIA_TYPE: () => call('POST', '/v1/leads', { ...tenantAuth, 'content-type': 'text/plain' }, 'hi'),
      UNSUPPORTED_ENCODING: () =>
        call('POST', '/v1/leads', { ...tenantAuth, 'content-type': 'application/json; charset=latin1' }, '{}'),
      UNREADABLE_BODY: () =>
        call('POST', '/v1/leads', { ...tenantAuth, ...json, 'content-encoding': 'gzip' }, 'not gzip at all'),
      MALFORMED_JSON: () => call('POST', '/v1/leads', { ...tenantAuth, ...json }, '{"name":'),
      JSON_TOO_DEEP: () => call('POST', '/v1/leads', { ...tenantAuth, ...json }, '['.repeat(40) + ']'.repeat(40)),
      VALIDATION_FAILED: () => sendJson('POST', '/v1/leads', tenantAuth, {}),
      INVALID_CURSOR: () => call('GET', `/v1/leads?cursor=${Buffer.from('"x"').toString('base64url')}`, tenantAuth),
      INVALID_API_KEY: () => call('GET', '/v1/leads', { 'x-api-key': 'not-a-key-of-anyone' }),
      INVALID_ADMIN_KEY: () => call('GET', '/ops/tenants', { 'x-admin-key': 'not-the-admin-key' }),
      METRICS_TOKEN_REQUIRED: () => call('GET', '/metrics'),
      TENANT_SUSPENDED: async () => {
        const tenant = uniqueTenant('SUSP');
        const created = await sendJson('POST', '/ops/tenants', admin, { tenant, mintKey: true });
        const key = (created.body.key as { key: string }).key;
        expect((await sendJson('PATCH', `/ops/tenants/${tenant}`, admin, { status: 'suspended' })).status).toBe(200);
        return call('GET', '/v1/leads', { 'x-api-key': key });
      },
      AUTH_RATE_LIMITED: async () => {
        let res = await call('GET', '/v1/leads', { 'x-api-key': 'guessing-0' });
        for (let i = 1; i < 5 && res.status === 401; i++)
          res = await call('GET', '/v1/leads', { 'x-api-key': `guessing-${i}` });
        // The block lasts to the end of the window: move past it for the codes that follow.
        clock.advance(120_000);
        return res;
      },
      RATE_LIMITED: async () => {
        const key = await onboard('burst');
        expect((await call('GET', '/v1/leads', { 'x-api-key': key })).status).toBe(200);
        return call('GET', '/v1/leads', { 'x-api-key': key });
      },
      QUOTA_EXHAUSTED: async () => {
        const key = await onboard('metered');
        expect((await sendJson('POST', '/v1/leads', { 'x-api-key': key }, validLead())).status).toBe(201);
        return sendJson('POST', '/v1/leads', { 'x-api-key': key }, validLead());
      },
      LEAD_NOT_FOUND: () => call('GET', `/v1/leads/${randomUUID()}`, tenantAuth),
      IDEMPOTENCY_KEY_INVALID: () =>
        sendJson('POST', '/v1/leads', { ...tenantAuth, 'idempotency-key': 'has space' }, validLead()),
      IDEMPOTENCY_KEY_REUSED: async () => {
        const headers = { ...tenantAuth, 'idempotency-key': `reuse-${randomUUID()}` };
        expect((await sendJson('POST', '/v1/leads', headers, validLead())).status).toBe(201);
        return sendJson('POST', '/v1/leads', headers, validLead({ name: 'Someone Else' }));
      },
      IDEMPOTENT_REQUEST_IN_FLIGHT: async () => {
        const body = validLead({ name: 'Still Running' });
        const key = `in-flight-${randomUUID()}`;
        const now = new Date(clock.now());
        await t.app
          .get(DataSource)
          .getRepository(IdempotencyKeyEntity)
          .insert({
            tenant: envTenant,
            key,
            requestHash: requestHash(body),
            state: 'in_flight',
            responseStatus: null,
            responseBody: null,
            createdAt: now,
            expiresAt: new Date(now.getTime() + 60_000),
          });
        return sendJson('POST', '/v1/leads', { ...tenantAuth, 'idempotency-key': key }, body);
      },
      TENANT_NOT_FOUND: () => call('GET', `/ops/tenants/${uniqueTenant('NONE')}`, admin),
      TENANT_EXISTS: () => sendJson('POST', '/ops/tenants', admin, { tenant: envTenant }),
      UNKNOWN_PLAN: () => sendJson('POST', '/ops/tenants', admin, { tenant: uniqueTenant('PLAN'), plan: 'platinum' }),
      ERASE_CONFIRMATION_REQUIRED: async () => {
        const tenant = uniqueTenant('KEEP');
        expect((await sendJson('POST', '/ops/tenants', admin, { tenant })).status).toBe(201);
        return call('DELETE', `/ops/tenants/${tenant}`, admin);
      },
      TENANT_KEYS_CONFIGURED: () => call('DELETE', `/ops/tenants/${envTenant}?erase=true`, admin),
      API_KEY_NOT_FOUND: () => call('DELETE', `/ops/tenants/${envTenant}/keys/${randomUUID()}`, admin),
      KEY_MANAGED_ELSEWHERE: async () => {
        const listed = (await call('GET', '/ops/tenants', admin)).body.tenants as Array<{
          tenant: string;
          keys: Array<{ id: string }>;
        }>;
        const id = listed.find((entry) => entry.tenant === envTenant)?.keys[0]?.id;
        return call('DELETE', `/ops/tenants/${envTenant}/keys/${id}`, admin);
      },
      KEYS_FILE_INVALID: async () => {
        writeKeysFile(t.config.apiKeysFile, ['this line is not a key assignment']);
        const res = await reload();
        rmSync(t.config.apiKeysFile, { force: true });
        return res;
      },
      KEYS_FILE_UNREADABLE: async () => {
        mkdirSync(t.config.apiKeysFile);
        const res = await reload();
        rmSync(t.config.apiKeysFile, { recursive: true, force: true });
        return res;
      },
      DUPLICATE_KEY: async () => {
        writeKeysFile(t.config.apiKeysFile, [`API_KEY_${uniqueTenant('TWIN')}=${envKey}`]);
        const res = await reload();
        rmSync(t.config.apiKeysFile, { force: true });
        return res;
      },
      KEYS_FILE_MISSING: async () => {
        writeKeysFile(t.config.apiKeysFile, [`API_KEY_${uniqueTenant('FILE')}=${randomKey('file')}`]);
        expect((await reload()).status).toBe(200);
        rmSync(t.config.apiKeysFile, { force: true });
        const res = await reload();
        expect((await reload('?allowMissingKeysFile=true')).status).toBe(200);
        return res;
      },
      PLANS_FILE_INVALID: async () => {
        writeFileSync(t.config.plansFile, '{"plans": ');
        const res = await reload();
        writeFileSync(t.config.plansFile, JSON.stringify({ plans: PLANS }));
        return res;
      },
      MODEL_NOT_ACTIVATED: () => sendJson('POST', '/ops/model/retrain', admin, {}),
      INTERNAL: () => call('GET', '/__fixtures/boom'),
    };

    it('documents every code in the OpenAPI ErrorEnvelope schema', async () => {
      const res = await call('GET', '/docs-json');
      expect(res.status).toBe(200);
      const schemas = (res.body.components as { schemas: Record<string, { properties: Record<string, unknown> }> })
        .schemas;
      const code = schemas.ErrorEnvelope.properties.code as { enum: string[] };
      expect([...code.enum].sort()).toEqual([...documented.keys()].sort());
    });

    it.each(Object.keys(PRODUCERS))('%s', async (code) => {
      await expectCode(code, PRODUCERS[code]);
    });

    it('the compressed body that is valid is read like any other (gzip)', async () => {
      const res = await call(
        'POST',
        '/v1/leads',
        { ...tenantAuth, ...json, 'content-encoding': 'gzip' },
        gzipSync(JSON.stringify(validLead())),
      );
      expect(res.status).toBe(201);
    });
  });

  describe('an instance without an admin key, with short client timeouts, then without its database', () => {
    let t: TestApp;
    let url = '';
    // Postgres is reached through a proxy of this suite's own, which is cut; SQLite's handle is closed.
    let proxy: TcpProxy | null = null;

    beforeAll(async () => {
      let databaseUrl = db.url;
      if (db.kind === 'postgres') {
        const target = new URL(db.url);
        proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
        databaseUrl = viaPort(db.url, proxy.port);
      }
      t = await startTestApp(databaseUrl, {
        listen: true,
        env: { HEADERS_TIMEOUT_MS: '100', REQUEST_TIMEOUT_MS: '200' },
      });
      url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await proxy?.restore();
      await t?.close().catch(() => undefined);
      await proxy?.cut();
    });

    it('ADMIN_API_DISABLED', async () => {
      await expectCode('ADMIN_API_DISABLED', async () =>
        fromHttp(await httpCall(url, { method: 'GET', path: '/ops/tenants', headers: admin })),
      );
    });

    it('REQUEST_TIMEOUT', async () => {
      // Headers that never end: the server answers once HEADERS_TIMEOUT_MS has passed, then closes.
      await expectCode('REQUEST_TIMEOUT', async () =>
        fromRaw(await rawHttp(url, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n', 10000)),
      );
    });

    it('DATABASE_UNAVAILABLE', async () => {
      if (proxy) await proxy.cut();
      else await t.app.get(DataSource).destroy();
      const answer = await expectCode('DATABASE_UNAVAILABLE', async () =>
        fromHttp(
          await httpCall(url, { method: 'POST', path: '/v1/leads', headers: json, body: JSON.stringify(validLead()) }),
        ),
      );
      expect(answer.headers['retry-after']).toBe('1');
    });
  });

  describe('a production instance', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(db.url, { env: { NODE_ENV: 'production', API_ADMIN_KEY: ADMIN_KEY } });
    });
    afterAll(async () => {
      await t?.close();
      if (t) rmSync(t.config.apiKeysFile, { force: true });
    });

    it('API_KEY_TOO_SHORT', async () => {
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${uniqueTenant('SHORT')}=tiny-key`]);
      const res = await t.http().post('/ops/reload-auth').set(admin);
      await expectCode('API_KEY_TOO_SHORT', async () => ({ status: res.status, headers: res.headers, body: res.body }));
      expect(res.text).not.toContain('tiny-key');
    });
  });

  const canKillRedis = hasRedisServer();
  if (!canKillRedis && process.env.CI === 'true') throw new Error('redis-server is required for USAGE_UNAVAILABLE');
  (canKillRedis ? describe : describe.skip)('an instance whose Redis goes away', () => {
    let t: TestApp;
    let redis: PrivateRedis;
    const tenant = uniqueTenant('USAGE');

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      t = await startTestApp(db.url, {
        env: {
          REDIS_URL: redis.url,
          RATE_LIMIT_ENABLED: 'true',
          RATE_LIMIT_OPS: '100000/minute',
          API_ADMIN_KEY: ADMIN_KEY,
        },
      });
      expect((await t.http().post('/ops/tenants').set(admin).send({ tenant })).status).toBe(201);
    });
    afterAll(async () => {
      // Back up first, so the app's Redis clients close cleanly instead of retrying.
      await redis?.start();
      await t?.close();
      await redis?.kill();
    });

    it('USAGE_UNAVAILABLE', async () => {
      await redis.kill();
      const res = await t.http().get(`/ops/tenants/${tenant}/usage`).set(admin);
      await expectCode('USAGE_UNAVAILABLE', async () => ({ status: res.status, headers: res.headers, body: res.body }));
    });
  });

  it('produced every documented code', () => {
    const skipped = hasRedisServer() ? [] : ['USAGE_UNAVAILABLE'];
    expect([...documented.keys()].filter((code) => !seen.has(code) && !skipped.includes(code)).sort()).toEqual([]);
  });
});
