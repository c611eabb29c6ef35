import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoLeads } from '../apps/customer-ops/src/leads/scoring/demo-leads';
import { ApiProcess, startApiProcess } from './support/api-process';
import { httpCall, HttpResult } from './support/http-client';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from './support/keys';
import { validLead } from './support/leads';
import { eventually, testRedisUrl } from './support/redis';
import { createTestDatabase, e2eDatabaseKind, TestDatabase } from './support/test-database';

/*
 * Two real API processes on one Postgres database and one Redis, as a deployment runs them.
 * Postgres only: SQLite is one process's file. With CI=true the Postgres projects require
 * TEST_REDIS_URL (testRedisUrl throws without it).
 */
const onPostgres = e2eDatabaseKind() === 'postgres';
const redisUrl = onPostgres ? testRedisUrl() : null;
const describeFleet = onPostgres && redisUrl ? describe : describe.skip;
const skipReason = !onPostgres ? ' [Postgres projects only]' : !redisUrl ? ' [set TEST_REDIS_URL to run]' : '';

describeFleet(`two API processes on one database and one Redis${skipReason}`, () => {
  let db: TestDatabase;
  let a: ApiProcess;
  let b: ApiProcess;
  const keysFile = join(tmpdir(), `co-multi-keys-${randomBytes(6).toString('hex')}.env`);
  const tenants = {
    writer: { tenant: uniqueTenant('WRITER'), key: randomKey('writer') },
    limited: { tenant: uniqueTenant('LIMITED'), key: randomKey('limited') },
    minter: { tenant: uniqueTenant('MINTER'), key: randomKey('minter') },
    model: { tenant: uniqueTenant('MODEL'), key: randomKey('model') },
  };
  const fileLines = Object.values(tenants).map((t) => `API_KEY_${t.tenant}=${t.key}`);
  const OPS_LIMIT = 30;

  type Body = Record<string, unknown>;
  const send = (api: ApiProcess, method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    httpCall(api.url(''), {
      method,
      path,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 20000,
    });
  const as = (api: ApiProcess, key: string) => ({
    get: (path: string) => send(api, 'GET', path, { 'x-api-key': key }),
    post: (path: string, body: unknown) => send(api, 'POST', path, { 'x-api-key': key }, body),
  });
  const admin = (api: ApiProcess, method: string, path: string, body?: unknown) =>
    send(api, method, path, { 'x-admin-key': ADMIN_KEY }, body);
  const statusOf = async (api: ApiProcess, key: string) => (await as(api, key).get('/ops/model-status')).status;

  beforeAll(async () => {
    db = await createTestDatabase();
    writeKeysFile(keysFile, fileLines);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl ?? '',
      REDIS_KEY_PREFIX: `co-multi-${randomBytes(6).toString('hex')}`,
      REQUIRE_API_KEY: 'true',
      API_ADMIN_KEY: ADMIN_KEY,
      API_KEYS_FILE: keysFile,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_OPS: `${OPS_LIMIT}/minute`,
      RATE_LIMIT_DEFAULT: '100000/minute',
    };
    // One after the other: the first applies the migrations.
    a = await startApiProcess(env, 60000);
    b = await startApiProcess(env, 60000);
  }, 120000);

  afterAll(async () => {
    for (const api of [a, b]) api?.child.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    rmSync(keysFile, { force: true });
    await db?.drop();
  });

  it('a lead written on one is read, listed, searched and updated on the other', async () => {
    const { key } = tenants.writer;
    const created = await as(a, key).post('/v1/leads', validLead({ details: 'Quote for a slate roof please' }));
    expect(created.status).toBe(201);
    const id = (created.body as Body).id as string;

    const read = await as(b, key).get(`/v1/leads/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...(created.body as Body), outcomes: [], outcomesTruncated: false });
    const listed = await as(b, key).get('/v1/leads?limit=5');
    expect((listed.body as { items: Body[] }).items.map((l) => l.id)).toContain(id);
    const found = await as(b, key).get('/v1/leads/search?q=slate');
    expect((found.body as { results: Body[] }).results.map((r) => r.id)).toEqual([id]);

    expect((await as(b, key).post(`/v1/leads/${id}/outcome`, { outcome: 'booked' })).status).toBe(200);
    expect(((await as(a, key).get(`/v1/leads/${id}`)).body as Body).outcome).toBe('booked');
  });

  it('one rate-limit budget per tenant across both instances', async () => {
    const { key } = tenants.limited;
    const results: HttpResult[] = [];
    for (let i = 0; i < OPS_LIMIT + 2; i++) results.push(await as(i % 2 === 0 ? a : b, key).get('/ops/model-status'));
    expect(results.map((r) => r.status)).toEqual([...Array.from({ length: OPS_LIMIT }, () => 200), 429, 429]);
    // Both instances count in the same place: what remains goes down by one per call, whichever answers.
    expect(results.slice(0, OPS_LIMIT).map((r) => Number(r.headers['x-ratelimit-remaining']))).toEqual(
      Array.from({ length: OPS_LIMIT }, (_, i) => OPS_LIMIT - 1 - i),
    );
  });

  it('POST /ops/reload-auth on one instance is honoured by the other within 2 s', async () => {
    const added = { tenant: uniqueTenant('ADDED'), key: randomKey('added') };
    writeKeysFile(keysFile, [...fileLines, `API_KEY_${added.tenant}=${added.key}`]);
    expect(await statusOf(b, added.key)).toBe(401);
    expect((await admin(a, 'POST', '/ops/reload-auth')).status).toBe(200);
    await eventually(async () => (await statusOf(b, added.key)) === 200, 2000, 100);

    // And back: the key leaves the file, a reload on the other instance retires it on the first.
    writeKeysFile(keysFile, fileLines);
    expect((await admin(b, 'POST', '/ops/reload-auth')).status).toBe(200);
    await eventually(async () => (await statusOf(a, added.key)) === 401, 2000, 100);
  });

  it('a key minted on one works on the other within 2 s; revoked there, it fails on the first within 2 s', async () => {
    const { tenant } = tenants.minter;
    const minted = await admin(a, 'POST', `/ops/tenants/${tenant}/keys`, {});
    expect(minted.status).toBe(201);
    const { id, key } = minted.body as { id: string; key: string };
    await eventually(async () => (await statusOf(b, key)) === 200, 2000, 100);

    expect((await admin(b, 'DELETE', `/ops/tenants/${tenant}/keys/${id}`)).status).toBe(200);
    await eventually(async () => (await statusOf(a, key)) === 401, 2000, 100);
    expect(await statusOf(b, key)).toBe(401);
  });

  it('a model trained on one instance is active on the other within 5 s', async () => {
    const { key } = tenants.model;
    // Outcomes recorded through both instances, four requests at a time.
    const demo = generateDemoLeads(160, 42);
    const seed = async (index: number) => {
      const api = index % 2 === 0 ? a : b;
      const lead = await as(api, key).post('/v1/leads', demo[index].lead);
      expect(lead.status).toBe(201);
      const { outcome, timeToConversionSeconds } = demo[index];
      if (outcome) {
        const id = (lead.body as Body).id as string;
        const recorded = await as(api === a ? b : a, key).post(`/v1/leads/${id}/outcome`, {
          outcome,
          timeToConversionSeconds,
        });
        expect(recorded.status).toBe(200);
      }
    };
    for (let i = 0; i < demo.length; i += 4) await Promise.all([i, i + 1, i + 2, i + 3].map(seed));

    expect(((await as(b, key).get('/ops/model-status')).body as Body).loaded).toBe(false);
    const trained = await admin(a, 'POST', '/ops/model/retrain', {});
    expect(trained.status).toBe(200);
    const { version } = trained.body as { version: number };
    await eventually(
      async () => ((await as(b, key).get('/ops/model-status')).body as Body).version === version,
      5000,
      250,
    );

    const scored = await as(b, key).post('/v1/leads', validLead({ details: 'URGENT: need a quote today' }));
    expect((scored.body as Body).conversionProbability).toEqual(expect.any(Number));
  }, 60000);
});
