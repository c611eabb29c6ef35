import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from './support/keys';
import { describeWithRedis, eventually } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describeWithRedis('auth across instances sharing one Redis and one database', (redisUrl) => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const admin = { 'x-admin-key': ADMIN_KEY };
  const keysFile = join(tmpdir(), `co-fleet-keys-${randomBytes(6).toString('hex')}.env`);
  const seedTenant = uniqueTenant('FLEET');
  const seedKey = randomKey('fleet');

  beforeAll(async () => {
    db = await createTestDatabase();
    writeKeysFile(keysFile, [`API_KEY_${seedTenant}=${seedKey}`]);
    const env = {
      REQUIRE_API_KEY: 'true',
      API_ADMIN_KEY: ADMIN_KEY,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `co-fleet-${uniqueTenant('P').toLowerCase()}`,
      API_KEYS_FILE: keysFile,
    };
    a = await startTestApp(db.url, { env });
    b = await startTestApp(db.url, { env });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    rmSync(keysFile, { force: true });
    await db?.drop();
  });

  const statusOn = async (app: TestApp, key: string) =>
    (await app.http().get('/ops/model-status').set('x-api-key', key)).status;

  it('a key minted on one instance works on the other within 2 s', async () => {
    const minted = await a.http().post(`/ops/tenants/${seedTenant}/keys`).set(admin);
    expect(minted.status).toBe(201);
    await eventually(async () => (await statusOn(b, minted.body.key)) === 200, 2000);
  });

  it('a key revoked on one instance fails on the other within 2 s', async () => {
    const minted = await a.http().post(`/ops/tenants/${seedTenant}/keys`).set(admin);
    await eventually(async () => (await statusOn(b, minted.body.key)) === 200, 2000);
    const revoked = await b.http().delete(`/ops/tenants/${seedTenant}/keys/${minted.body.id}`).set(admin);
    expect(revoked.status).toBe(200);
    await eventually(async () => (await statusOn(a, minted.body.key)) === 401, 2000);
  });

  it('a reload on one instance re-reads the keys file on the other within 2 s', async () => {
    const tenant = uniqueTenant('ROT');
    const key = randomKey('rot');
    writeKeysFile(keysFile, [`API_KEY_${seedTenant}=${seedKey}`, `API_KEY_${tenant}=${key}`]);
    expect(await statusOn(b, key)).toBe(401);
    expect((await a.http().post('/ops/reload-auth').set(admin)).status).toBe(200);
    await eventually(async () => (await statusOn(b, key)) === 200, 2000);
    const audit = b.logs.lines().find((l) => l.msg === 'audit' && l.trigger === 'fleet');
    expect(audit).toBeDefined();
  });
});
