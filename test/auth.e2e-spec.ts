import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { ApiKeyEntity } from '../apps/customer-ops/src/auth/entities/api-key.entity';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from './support/keys';
import { parsePrometheus } from './support/prometheus';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';
import { TestClock } from './support/test-clock';

const INVALID_KEY = { statusCode: 401, error: 'Unauthorized', message: 'Invalid or missing API key' };
const INVALID_ADMIN = { statusCode: 401, error: 'Unauthorized', message: 'Invalid or missing admin key' };

describe('auth: tenant keys, admin key, reloads', () => {
  let db: TestDatabase;
  let t: TestApp;
  const envTenant = uniqueTenant('ENV');
  const envKey = randomKey('env');
  const admin = { 'x-admin-key': ADMIN_KEY };

  const modelStatus = (key?: string) => {
    const req = t.http().get('/ops/model-status');
    return key === undefined ? req : req.set('x-api-key', key);
  };
  const reload = () => t.http().post('/ops/reload-auth').set(admin);

  // Grace periods are read from this clock; the tests move it instead of waiting.
  const clock = new TestClock();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${envTenant}`]: envKey },
      clock,
    });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(t.config.apiKeysFile, { force: true });
    await db?.drop();
  });

  describe('tenant guard', () => {
    it('accepts an environment key and resolves its tenant', async () => {
      const res = await modelStatus(envKey);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ model: 'lead-conversion', tenant: envTenant });
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['wrong', 'definitely-not-a-key'],
      ['a digest of a real key', createHash('sha256').update('x').digest('hex')],
    ])('401 for a %s key, in the envelope', async (_, key) => {
      const res = await modelStatus(key);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject(INVALID_KEY);
      expect(res.body.requestId).toEqual(expect.any(String));
    });

    it('ignores a key in the query string', async () => {
      const res = await t.http().get(`/ops/model-status?x-api-key=${envKey}&api_key=${envKey}`);
      expect(res.status).toBe(401);
    });

    it('puts the tenant in the access log, and never the key', async () => {
      await modelStatus(envKey).set('x-request-id', 'tenant-log');
      const line = t.logs.accessLines().find((l) => l.requestId === 'tenant-log');
      expect(line).toMatchObject({ tenant: envTenant, route: '/ops/model-status', status: 200 });
      expect(t.logs.text()).not.toContain(envKey);
    });
  });

  describe('admin guard', () => {
    it('401 without or with a wrong admin key', async () => {
      for (const headers of [{}, { 'x-admin-key': 'wrong' }, { 'x-admin-key': envKey }, { 'x-api-key': envKey }]) {
        const res = await t.http().get('/ops/tenants').set(headers);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject(INVALID_ADMIN);
      }
    });

    it('the admin key alone suffices (no tenant key needed)', async () => {
      expect((await t.http().get('/ops/tenants').set(admin)).status).toBe(200);
    });

    it('a tenant key with the admin key is fine too', async () => {
      expect((await t.http().get('/ops/tenants').set(admin).set('x-api-key', envKey)).status).toBe(200);
    });
  });

  describe('POST /ops/reload-auth and the keys file', () => {
    it('picks up keys added to the file without a restart, and sets api_tenants_count', async () => {
      const tenant = uniqueTenant('FILE');
      const key = randomKey('file');
      expect((await modelStatus(key)).status).toBe(401);

      writeKeysFile(t.config.apiKeysFile, ['# tenant keys', '', `API_KEY_${tenant.toLowerCase()}=${key}`]);
      const res = await reload();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, keys: expect.any(Number), tenants: expect.any(Number), plans: 1 });

      const ok = await modelStatus(key);
      expect(ok.status).toBe(200);
      expect(ok.body.tenant).toBe(tenant);

      const metrics = parsePrometheus((await t.http().get('/metrics')).text);
      expect(metrics.value('api_tenants_count')).toBe(res.body.tenants);
      const listed = await t.http().get('/ops/tenants').set(admin);
      expect(listed.body.count).toBe(res.body.tenants);
    });

    it('a malformed line -> 400 naming the line; the previous keys stay in force', async () => {
      const tenant = uniqueTenant('KEEP');
      const key = randomKey('keep');
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${tenant}=${key}`]);
      expect((await reload()).status).toBe(200);

      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${tenant}=${key}`, '# fine', 'this line is not a key']);
      const res = await reload();
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('line 3');
      expect(res.body.message).not.toContain(key);
      expect((await modelStatus(key)).status).toBe(200);
    });

    it('one key value for two tenants -> 400 naming both; the previous keys stay in force', async () => {
      const [a, b] = [uniqueTenant('DUPA'), uniqueTenant('DUPB')];
      const shared = randomKey('shared');
      writeKeysFile(t.config.apiKeysFile, []);
      expect((await reload()).status).toBe(200);
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${a}=${shared}`, `API_KEY_${b}=${shared}`]);
      const res = await reload();
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(a);
      expect(res.body.message).toContain(b);
      expect(res.body.message).not.toContain(shared);
      expect((await modelStatus(shared)).status).toBe(401);
      expect((await modelStatus(envKey)).status).toBe(200);
    });

    it('a missing keys file is an empty source while none of its keys are in force', async () => {
      rmSync(t.config.apiKeysFile, { force: true });
      const res = await reload();
      expect(res.status).toBe(200);
      expect((await modelStatus(envKey)).status).toBe(200);
    });

    it('re-reads the environment', async () => {
      const tenant = uniqueTenant('LATE');
      const key = randomKey('late');
      t.env[`API_KEY_${tenant}`] = key;
      expect((await modelStatus(key)).status).toBe(401);
      expect((await reload()).status).toBe(200);
      expect((await modelStatus(key)).body.tenant).toBe(tenant);
      delete t.env[`API_KEY_${tenant}`];
      expect((await reload()).status).toBe(200);
      expect((await modelStatus(key)).status).toBe(401);
    });

    it('writes an audit line without key material', async () => {
      await reload();
      const audit = t.logs.lines().filter((l) => l.msg === 'audit' && l.action === 'auth.reload');
      expect(audit.length).toBeGreaterThan(0);
      expect(audit[audit.length - 1]).toMatchObject({ keys: expect.any(Number), tenants: expect.any(Number) });
    });
  });

  describe('GET /ops/tenants', () => {
    it('lists tenants sorted, with key metadata and never key material', async () => {
      const [a, b] = [uniqueTenant('ZZZ'), uniqueTenant('AAA')];
      const [keyA, keyB] = [randomKey('za'), randomKey('ab')];
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${a}=${keyA}`, `API_KEY_${b}=${keyB}`]);
      await reload();
      const minted = await t.http().post(`/ops/tenants/${a}/keys`).set(admin).send({ expiresInDays: 30 });
      expect(minted.status).toBe(201);

      const res = await t.http().get('/ops/tenants').set(admin);
      expect(res.status).toBe(200);
      const names = (res.body.tenants as Array<{ tenant: string }>).map((x) => x.tenant);
      expect(names).toEqual([...names].sort());
      expect(res.body.count).toBe(names.length);
      const entryA = res.body.tenants.find((x: { tenant: string }) => x.tenant === a);
      expect(entryA.keys).toHaveLength(2);
      for (const key of entryA.keys) {
        expect(Object.keys(key).sort()).toEqual([
          'createdAt',
          'expiresAt',
          'fingerprint',
          'id',
          'lastUsedAt',
          'source',
        ]);
        expect(key.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
      }
      const fileKey = entryA.keys.find((k: { source: string }) => k.source === 'file');
      expect(fileKey.fingerprint).toBe(`sha256:${createHash('sha256').update(keyA).digest('hex').slice(0, 8)}`);
      expect(fileKey.expiresAt).toBeNull();
      const dbKey = entryA.keys.find((k: { source: string }) => k.source === 'db');
      expect(dbKey.id).toBe(minted.body.id);
      expect(new Date(dbKey.expiresAt).getTime()).toBeGreaterThan(clock.now() + 29 * 86400_000);

      for (const secret of [keyA, keyB, envKey, minted.body.key]) {
        expect(res.text).not.toContain(secret);
        expect(res.text).not.toContain(createHash('sha256').update(secret).digest('hex'));
      }
    });
  });

  describe('minting and revoking', () => {
    const tenantWithKey = async (): Promise<{ tenant: string; key: string }> => {
      const tenant = uniqueTenant('MINT');
      const key = randomKey('mint');
      t.env[`API_KEY_${tenant}`] = key;
      await reload();
      return { tenant, key };
    };

    it('a minted key works at once; a revoked key fails at once', async () => {
      const { tenant } = await tenantWithKey();
      const res = await t.http().post(`/ops/tenants/${tenant.toLowerCase()}/keys`).set(admin);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        tenant,
        key: expect.stringMatching(/^co_live_[0-9A-Za-z]{32,}$/),
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
        expiresAt: null,
      });
      expect((await modelStatus(res.body.key)).body.tenant).toBe(tenant);

      const revoked = await t.http().delete(`/ops/tenants/${tenant}/keys/${res.body.id}`).set(admin);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ id: res.body.id, revokedAt: expect.any(String) });
      expect((await modelStatus(res.body.key)).status).toBe(401);

      const again = await t.http().delete(`/ops/tenants/${tenant}/keys/${res.body.id}`).set(admin);
      expect(again.status).toBe(200);
      expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    });

    it('stores only the digest of a minted key', async () => {
      const { tenant } = await tenantWithKey();
      const res = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
      const row = await t.app.get(DataSource).getRepository(ApiKeyEntity).findOneByOrFail({ id: res.body.id });
      expect(row.keyHash).toBe(createHash('sha256').update(res.body.key).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(res.body.key);
      expect(t.logs.text()).not.toContain(res.body.key);
      const audit = t.logs
        .lines()
        .find((l) => l.msg === 'audit' && l.action === 'key.mint' && l.target === res.body.id);
      expect(audit).toMatchObject({ tenant, fingerprint: res.body.fingerprint });
    });

    it('honours a grace period on revoke', async () => {
      const { tenant } = await tenantWithKey();
      const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
      const revoked = await t.http().delete(`/ops/tenants/${tenant}/keys/${minted.body.id}?graceSeconds=2`).set(admin);
      expect(revoked.status).toBe(200);
      expect(new Date(revoked.body.revokedAt).getTime()).toBe(clock.now() + 2000);
      expect((await modelStatus(minted.body.key)).status).toBe(200);
      const listed = await t.http().get('/ops/tenants').set(admin);
      const entry = listed.body.tenants.find((x: { tenant: string }) => x.tenant === tenant);
      expect(entry.keys.find((k: { id: string }) => k.id === minted.body.id).revokedAt).toBe(revoked.body.revokedAt);
      clock.advance(1900);
      expect((await modelStatus(minted.body.key)).status).toBe(200);
      clock.advance(200);
      expect((await modelStatus(minted.body.key)).status).toBe(401);
    });

    it('an expired key is rejected', async () => {
      const { tenant } = await tenantWithKey();
      const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin).send({ expiresInDays: 1 });
      expect(minted.status).toBe(201);
      expect((await modelStatus(minted.body.key)).status).toBe(200);
      await t.app
        .get(DataSource)
        .getRepository(ApiKeyEntity)
        .update({ id: minted.body.id }, { expiresAt: new Date(clock.now() - 1000) });
      await reload();
      const res = await modelStatus(minted.body.key);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject(INVALID_KEY);
    });

    it('404 for an unknown tenant or key', async () => {
      const { tenant } = await tenantWithKey();
      const unknownTenant = await t
        .http()
        .post(`/ops/tenants/${uniqueTenant('NOPE')}/keys`)
        .set(admin);
      expect(unknownTenant.status).toBe(404);
      expect(unknownTenant.body.error).toBe('Not Found');
      expect(
        (await t.http().delete(`/ops/tenants/${tenant}/keys/00000000-0000-0000-0000-000000000000`).set(admin)).status,
      ).toBe(404);
      expect(
        (
          await t
            .http()
            .delete(`/ops/tenants/${uniqueTenant('NOPE')}/keys/abc`)
            .set(admin)
        ).status,
      ).toBe(404);
    });

    it("404 for another tenant's key", async () => {
      const { tenant } = await tenantWithKey();
      const other = await tenantWithKey();
      const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
      const res = await t.http().delete(`/ops/tenants/${other.tenant}/keys/${minted.body.id}`).set(admin);
      expect(res.status).toBe(404);
      expect((await modelStatus(minted.body.key)).status).toBe(200);
    });

    it('409 for keys from the environment or the keys file, naming where to edit', async () => {
      const { tenant } = await tenantWithKey();
      const fileTenant = uniqueTenant('FILE');
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${fileTenant}=${randomKey('f')}`]);
      await reload();
      const listed = (await t.http().get('/ops/tenants').set(admin)).body.tenants;
      const envId = listed.find((x: { tenant: string }) => x.tenant === tenant).keys[0].id;
      const fileId = listed.find((x: { tenant: string }) => x.tenant === fileTenant).keys[0].id;

      const envRes = await t.http().delete(`/ops/tenants/${tenant}/keys/${envId}`).set(admin);
      expect(envRes.status).toBe(409);
      expect(envRes.body.message).toContain(`API_KEY_${tenant}`);
      const fileRes = await t.http().delete(`/ops/tenants/${fileTenant}/keys/${fileId}`).set(admin);
      expect(fileRes.status).toBe(409);
      expect(fileRes.body.message).toContain(t.config.apiKeysFile);
    });

    it.each([
      [{ expiresInDays: 0 }],
      [{ expiresInDays: 3651 }],
      [{ expiresInDays: 'soon' }],
      [{ expiresInDays: 1.5 }],
      [{ tenant: 'OTHER' }],
    ])('400 for a bad mint body %j', async (body) => {
      const { tenant } = await tenantWithKey();
      const res = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin).send(body);
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(expect.any(Array));
    });

    it.each(['-1', '86401', 'abc'])('400 for graceSeconds=%s', async (grace) => {
      const { tenant } = await tenantWithKey();
      const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
      const res = await t
        .http()
        .delete(`/ops/tenants/${tenant}/keys/${minted.body.id}?graceSeconds=${grace}`)
        .set(admin);
      expect(res.status).toBe(400);
      expect((await modelStatus(minted.body.key)).status).toBe(200);
    });

    it('400 for a malformed tenant name', async () => {
      const res = await t.http().post('/ops/tenants/bad%20name/keys').set(admin);
      expect(res.status).toBe(400);
    });
  });
});

describe('auth: REQUIRE_API_KEY=false', () => {
  let db: TestDatabase;
  let t: TestApp;
  const key = randomKey('opt');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { REQUIRE_API_KEY: 'false', API_KEY_OPTCO: key } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves a request without a key as tenant public', async () => {
    const res = await t.http().get('/ops/model-status');
    expect(res.status).toBe(200);
    expect(res.body.tenant).toBe('public');
  });

  it('still rejects a wrong key', async () => {
    const res = await t.http().get('/ops/model-status').set('x-api-key', 'wrong-key');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject(INVALID_KEY);
  });

  it('still resolves a right key', async () => {
    expect((await t.http().get('/ops/model-status').set('x-api-key', key)).body.tenant).toBe('OPTCO');
  });

  it('admin routes answer 403 when API_ADMIN_KEY is unset, whatever is sent', async () => {
    for (const headers of [{}, { 'x-admin-key': 'anything' }, { 'x-admin-key': '' }]) {
      for (const [method, path] of [
        ['get', '/ops/tenants'],
        ['post', '/ops/reload-auth'],
        ['post', '/ops/tenants/OPTCO/keys'],
        ['delete', '/ops/tenants/OPTCO/keys/abc'],
      ] as const) {
        const res = await t.http()[method](path).set(headers);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({
          statusCode: 403,
          error: 'Forbidden',
          message: 'Admin API disabled: set API_ADMIN_KEY',
        });
      }
    }
  });
});

describe('every route is guarded', () => {
  let db: TestDatabase;
  let t: TestApp;
  const PUBLIC = new Set(['GET /health', 'GET /readyz']);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers 401 without credentials on every documented route except the probes', async () => {
    const doc = (await t.http().get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m, path] as const));
    expect(routes.length).toBeGreaterThan(5);
    for (const [method, path] of routes) {
      const concrete = path.replace(/\{[^}]+\}/g, 'X1');
      const res = await t.http()[method as 'get'](concrete);
      if (PUBLIC.has(`${method.toUpperCase()} ${path}`)) expect(res.status).toBe(200);
      else expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 401]);
    }
  });

  it('documents the security scheme of each guarded route', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admin-key', 'tenant-key']);
    expect(doc.paths['/ops/model-status'].get.security).toEqual([{ 'tenant-key': [] }]);
    expect(doc.paths['/ops/reload-auth'].post.security).toEqual([{ 'admin-key': [] }]);
    expect(doc.paths['/ops/tenants'].get.security).toEqual([{ 'admin-key': [] }]);
  });
});
