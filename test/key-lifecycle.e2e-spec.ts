import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeyUsageEntity } from '../apps/customer-ops/src/auth/entities/api-key-usage.entity';
import { KeyUsageRecorder } from '../apps/customer-ops/src/auth/key-usage.service';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from './support/keys';
import { describeWithRedis, eventually } from './support/redis';
import { TestClock } from './support/test-clock';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const admin = { 'x-admin-key': ADMIN_KEY };

interface ListedKey {
  id: string;
  source: string;
  lastUsedAt: string | null;
}

const statusOf = async (t: TestApp, key: string): Promise<number> =>
  (await t.http().get('/ops/model-status').set('x-api-key', key)).status;

const warnings = (t: TestApp) => t.logs.lines().filter((line) => line.level === 'warn');

describe('key lifecycle', () => {
  let db: TestDatabase;
  let t: TestApp;
  const clock = new TestClock();
  const envTenant = uniqueTenant('LIFE');
  const envKey = randomKey('life');

  const reload = (query = '') => t.http().post(`/ops/reload-auth${query}`).set(admin);
  const mint = async (tenant: string): Promise<{ id: string; key: string }> => {
    const res = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const revoke = (tenant: string, id: string, graceSeconds: number) =>
    t.http().delete(`/ops/tenants/${tenant}/keys/${id}?graceSeconds=${graceSeconds}`).set(admin);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      clock,
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${envTenant}`]: envKey },
    });
  });

  afterAll(async () => {
    await t?.close();
    if (t) rmSync(t.config.apiKeysFile, { force: true });
    await db?.drop();
  });

  describe('12. revoking again shortens the grace, never extends it', () => {
    it('300 s, then 0 s (stops at once), then 600 s (unchanged)', async () => {
      const minted = await mint(envTenant);
      const first = await revoke(envTenant, minted.id, 300);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ id: minted.id, revokedAt: new Date(clock.now() + 300_000).toISOString() });
      expect(await statusOf(t, minted.key)).toBe(200);

      const shortened = await revoke(envTenant, minted.id, 0);
      expect(shortened.status).toBe(200);
      expect(shortened.body).toEqual({ id: minted.id, revokedAt: new Date(clock.now()).toISOString() });
      expect(Date.parse(shortened.body.revokedAt)).toBeLessThan(Date.parse(first.body.revokedAt));
      expect(await statusOf(t, minted.key)).toBe(401);

      const extended = await revoke(envTenant, minted.id, 600);
      expect(extended.status).toBe(200);
      expect(extended.body).toEqual({ id: minted.id, revokedAt: shortened.body.revokedAt });
      expect(await statusOf(t, minted.key)).toBe(401);
    });
  });

  describe('13. a keys file that goes missing', () => {
    it('at start-up: one warning naming the path, and the app starts', () => {
      const about = warnings(t).filter((line) => String(line.msg).includes(t.config.apiKeysFile));
      expect(about).toHaveLength(1);
      expect(about[0]).toMatchObject({ keysFile: t.config.apiKeysFile });
    });

    it('while its keys are in force: 409, and the whole registry stays as it was', async () => {
      const fileTenant = uniqueTenant('FILE');
      const fileKey = randomKey('file');
      writeKeysFile(t.config.apiKeysFile, [`API_KEY_${fileTenant}=${fileKey}`]);
      expect((await reload()).status).toBe(200);
      expect(await statusOf(t, fileKey)).toBe(200);

      rmSync(t.config.apiKeysFile);
      const lateTenant = uniqueTenant('LATE');
      const lateKey = randomKey('late');
      t.env[`API_KEY_${lateTenant}`] = lateKey;
      const reloadAudits = () => t.logs.lines().filter((l) => l.msg === 'audit' && l.action === 'auth.reload');
      try {
        const auditsBefore = reloadAudits().length;
        const res = await reload();
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({
          statusCode: 409,
          error: 'Conflict',
          message: `Keys file ${t.config.apiKeysFile} is missing; previous keys kept`,
          requestId: expect.any(String),
        });
        expect(await statusOf(t, fileKey)).toBe(200);
        expect(await statusOf(t, envKey)).toBe(200);
        // Nothing was re-read: not even the environment.
        expect(await statusOf(t, lateKey)).toBe(401);
        // A refused reload changes nothing, so it audits nothing.
        expect(reloadAudits()).toHaveLength(auditsBefore);

        // Still refused on the next try, and the option must be true or false.
        expect((await reload('?allowMissingKeysFile=false')).status).toBe(409);
        const bad = await reload('?allowMissingKeysFile=yes');
        expect(bad.status).toBe(400);
        expect(bad.body.details).toEqual(expect.any(Array));

        const accepted = await reload('?allowMissingKeysFile=true');
        expect(accepted.status).toBe(200);
        expect(accepted.body).toEqual({ ok: true, keys: expect.any(Number), tenants: expect.any(Number), plans: 1 });
        expect(await statusOf(t, fileKey)).toBe(401);
        expect(await statusOf(t, lateKey)).toBe(200);
        expect(await statusOf(t, envKey)).toBe(200);
        expect(reloadAudits().at(-1)).toMatchObject({ allowMissingKeysFile: true });

        // Nothing of the file is left to protect: a plain reload is fine again.
        expect((await reload()).status).toBe(200);
      } finally {
        delete t.env[`API_KEY_${lateTenant}`];
      }
    });
  });

  describe('15. lastUsedAt per key', () => {
    const usage = () => t.app.get(KeyUsageRecorder);
    const listed = async (tenant: string): Promise<ListedKey[]> => {
      const res = await t.http().get('/ops/tenants').set(admin);
      expect(res.status).toBe(200);
      return res.body.tenants.find((x: { tenant: string }) => x.tenant === tenant)?.keys ?? [];
    };
    const detail = async (tenant: string): Promise<ListedKey[]> => {
      const res = await t.http().get(`/ops/tenants/${tenant}`).set(admin);
      expect(res.status).toBe(200);
      return res.body.keys;
    };
    const rowOf = (keyId: string) => t.app.get(DataSource).getRepository(ApiKeyUsageEntity).findOneBy({ keyId });

    it('null until used; then the time of use, written at most once a minute', async () => {
      const tenant = uniqueTenant('USE');
      const key = randomKey('use');
      t.env[`API_KEY_${tenant}`] = key;
      try {
        expect((await reload()).status).toBe(200);
        const minted = await mint(tenant);
        const [envEntry] = (await listed(tenant)).filter((k) => k.source === 'env');
        for (const entry of await listed(tenant)) expect(entry.lastUsedAt).toBeNull();

        const firstUse = clock.now();
        expect(await statusOf(t, key)).toBe(200);
        await usage().flush();
        const used = new Date(firstUse).toISOString();
        for (const keys of [await listed(tenant), await detail(tenant)]) {
          expect(keys.find((k) => k.id === envEntry.id)?.lastUsedAt).toBe(used);
          // The other key was never used.
          expect(keys.find((k) => k.id === minted.id)?.lastUsedAt).toBeNull();
        }
        expect(await rowOf(envEntry.id)).toMatchObject({ tenant, lastUsedAt: new Date(firstUse) });

        // 30 s later, within the minute: no new write.
        clock.advance(30_000);
        expect(await statusOf(t, key)).toBe(200);
        await usage().flush();
        expect((await rowOf(envEntry.id))?.lastUsedAt).toEqual(new Date(firstUse));
        expect((await listed(tenant)).find((k) => k.id === envEntry.id)?.lastUsedAt).toBe(used);

        // 61 s after the first use: written again.
        clock.advance(31_000);
        expect(await statusOf(t, key)).toBe(200);
        await usage().flush();
        const later = new Date(firstUse + 61_000);
        expect((await rowOf(envEntry.id))?.lastUsedAt).toEqual(later);
        expect((await detail(tenant)).find((k) => k.id === envEntry.id)?.lastUsedAt).toBe(later.toISOString());
      } finally {
        delete t.env[`API_KEY_${tenant}`];
      }
    });

    it('a rejected key is not a use', async () => {
      const tenant = uniqueTenant('REJ');
      await t.http().post('/ops/tenants').set(admin).send({ tenant });
      const minted = await mint(tenant);
      expect((await revoke(tenant, minted.id, 0)).status).toBe(200);
      expect(await statusOf(t, minted.key)).toBe(401);
      await usage().flush();
      expect(await rowOf(minted.id)).toBeNull();
    });

    it('erasing a tenant deletes its usage rows, and only its', async () => {
      const [gone, kept] = [uniqueTenant('GONE'), uniqueTenant('KEPT')];
      const keys: Record<string, { id: string; key: string }> = {};
      for (const tenant of [gone, kept]) {
        const created = await t.http().post('/ops/tenants').set(admin).send({ tenant, mintKey: true });
        expect(created.status).toBe(201);
        keys[tenant] = created.body.key;
        expect(await statusOf(t, keys[tenant].key)).toBe(200);
      }
      await usage().flush();
      expect(await rowOf(keys[gone].id)).not.toBeNull();

      const erased = await t.http().delete(`/ops/tenants/${gone}?erase=true`).set(admin);
      expect(erased.status).toBe(200);
      await usage().flush();
      const rows = t.app.get(DataSource).getRepository(ApiKeyUsageEntity);
      expect(await rows.countBy({ tenant: gone })).toBe(0);
      expect(await rows.countBy({ tenant: kept })).toBe(1);
    });
  });
});

describe('14. short env / file keys', () => {
  let db: TestDatabase;
  const opened: TestApp[] = [];
  const production = { NODE_ENV: 'production', API_ADMIN_KEY: ADMIN_KEY };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of opened) await app.close();
    for (const app of opened) rmSync(app.config.apiKeysFile, { force: true });
    await db?.drop();
  });

  it('in production, stop start-up naming the tenant, never the key', async () => {
    const short = 'short-key-1';
    const error = await startTestApp(db.url, { env: { ...production, API_KEY_ACME: short } }).then(
      (app) => {
        opened.push(app);
        return null;
      },
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe('API_KEY_ACME is shorter than 16 characters; use a longer key in production');
    expect(error?.message).not.toContain(short);
  });

  it('in production, a reload that brings one in is refused with 400 naming the tenant; previous keys kept', async () => {
    const good = randomKey('prod');
    const t = await startTestApp(db.url, { env: { ...production, API_KEY_PRODCO: good } });
    opened.push(t);
    const fileTenant = uniqueTenant('SHORTF');
    writeKeysFile(t.config.apiKeysFile, ['# keys', `API_KEY_${fileTenant}=tiny-key`]);
    const res = await t.http().post('/ops/reload-auth').set(admin);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      `API_KEY_${fileTenant} in the keys file ${t.config.apiKeysFile} (line 2) is shorter than 16 characters; ` +
        'use a longer key in production. The previous keys stay in force',
    );
    expect(res.text).not.toContain('tiny-key');
    expect(await statusOf(t, good)).toBe(200);
    expect(await statusOf(t, 'tiny-key')).toBe(401);
  });

  it('outside production, load and log one warning per tenant without key material', async () => {
    const short = 'short-key-2';
    const tenant = uniqueTenant('SHORT');
    const t = await startTestApp(db.url, { env: { API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${tenant}`]: short } });
    opened.push(t);
    expect(await statusOf(t, short)).toBe(200);
    const about = warnings(t).filter((line) => line.tenant === tenant);
    expect(about).toEqual([
      expect.objectContaining({
        source: 'env',
        msg: `API_KEY_${tenant} is shorter than 16 characters; use a longer key in production`,
      }),
    ]);
    expect(t.logs.text()).not.toContain(short);
  });
});

describe('15. lastUsedAt survives a shutdown', () => {
  let db: TestDatabase;
  const key = randomKey('stop');
  const tenant = uniqueTenant('STOP');
  const env = { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${tenant}`]: key };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('queued uses are written when the app closes', async () => {
    const clock = new TestClock();
    const first = await startTestApp(db.url, { env, clock });
    const usedAt = new Date(clock.now()).toISOString();
    try {
      expect(await statusOf(first, key)).toBe(200);
    } finally {
      await first.close();
      rmSync(first.config.apiKeysFile, { force: true });
    }
    const second = await startTestApp(db.url, { env });
    try {
      const res = await second.http().get(`/ops/tenants/${tenant}`).set(admin);
      expect(res.body.keys).toEqual([expect.objectContaining({ source: 'env', lastUsedAt: usedAt })]);
    } finally {
      await second.close();
      rmSync(second.config.apiKeysFile, { force: true });
    }
  });
});

describeWithRedis('13. a missing keys file on a fleet-wide reload', (redisUrl) => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const fileOfB = join(tmpdir(), `co-fleet-missing-${randomBytes(6).toString('hex')}.env`);
  const tenant = uniqueTenant('FLEETF');
  const key = randomKey('fleetf');

  beforeAll(async () => {
    db = await createTestDatabase();
    writeKeysFile(fileOfB, [`API_KEY_${tenant}=${key}`]);
    const env = {
      REQUIRE_API_KEY: 'true',
      API_ADMIN_KEY: ADMIN_KEY,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `co-fleet-${uniqueTenant('P').toLowerCase()}`,
    };
    // A has no keys file of its own (so its reloads succeed); B reads its keys from one.
    a = await startTestApp(db.url, { env });
    b = await startTestApp(db.url, { env: { ...env, API_KEYS_FILE: fileOfB } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    rmSync(fileOfB, { force: true });
    await db?.drop();
  });

  it('keeps the previous keys and logs an error; the operator can accept the removal fleet-wide', async () => {
    expect(await statusOf(b, key)).toBe(200);
    rmSync(fileOfB);
    expect((await a.http().post('/ops/reload-auth').set(admin)).status).toBe(200);
    const missingLine = () =>
      b.logs.lines().find((l) => l.level === 'error' && l.code === 'KEYS_FILE_MISSING' && l.keysFile === fileOfB);
    await eventually(async () => missingLine() !== undefined, 2000);
    expect(missingLine()?.msg).toContain(`Keys file ${fileOfB} is missing; previous keys kept`);
    expect(await statusOf(b, key)).toBe(200);

    expect((await a.http().post('/ops/reload-auth?allowMissingKeysFile=true').set(admin)).status).toBe(200);
    await eventually(async () => (await statusOf(b, key)) === 401, 2000);
  });
});
