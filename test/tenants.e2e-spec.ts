import { DataSource } from 'typeorm';
import { AuditRepository } from '../apps/customer-ops/src/audit/audit.repository';
import { ADMIN_KEY, randomKey, uniqueTenant } from './support/keys';
import { eventually } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';
import { twoInstances } from './support/two-instances';

const admin = { 'x-admin-key': ADMIN_KEY };
const lead = (name: string) => ({ name, phone: '+1 555 010 0199', details: 'Need a roof estimate next week' });

describe('tenants as data: lifecycle, audit trail, erasure', () => {
  let db: TestDatabase;
  let t: TestApp;
  const envTenant = uniqueTenant('ENVT');
  const envKey = randomKey('envt');

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, [`API_KEY_${envTenant}`]: envKey },
    });
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const create = (body: Record<string, unknown>) => t.http().post('/ops/tenants').set(admin).send(body);
  const audit = async (query: string) => (await t.http().get(`/ops/audit?${query}`).set(admin)).body.items;

  it('onboards a tenant with a minted key that works at once; the key is shown once', async () => {
    const tenant = uniqueTenant('ACME');
    const res = await create({ tenant: tenant.toLowerCase(), displayName: 'Acme Roofing', mintKey: true });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      tenant,
      status: 'active',
      plan: 'default',
      displayName: 'Acme Roofing',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      key: {
        id: expect.any(String),
        key: expect.stringMatching(/^co_live_/),
        fingerprint: expect.any(String),
        expiresAt: null,
      },
    });
    expect(res.headers['cache-control'] ?? '').not.toContain('public');
    const captured = await t.http().post('/v1/leads').set('x-api-key', res.body.key.key).send(lead('Ann'));
    expect(captured.status).toBe(201);

    const detail = await t.http().get(`/ops/tenants/${tenant}`).set(admin);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ tenant, status: 'active', plan: 'default', displayName: 'Acme Roofing' });
    expect(detail.body.keys.map((k: { id: string }) => k.id)).toEqual([res.body.key.id]);
    expect(JSON.stringify(detail.body)).not.toContain(res.body.key.key);
    expect(detail.body.limits.default.windows).toEqual([{ name: 'minute', limit: 60, windowSeconds: 60 }]);
    expect(detail.body.limits.ops.windows).toEqual([{ name: 'minute', limit: 5, windowSeconds: 60 }]);

    const listed = await t.http().get('/ops/tenants').set(admin);
    expect(listed.body.tenants.find((x: { tenant: string }) => x.tenant === tenant)).toMatchObject({
      status: 'active',
      plan: 'default',
      displayName: 'Acme Roofing',
      keys: [expect.objectContaining({ id: res.body.key.id, source: 'db' })],
    });
  });

  it('a tenant created without a key appears in the listing with no keys, and mint then works', async () => {
    const tenant = uniqueTenant('NOKEY');
    expect((await create({ tenant })).status).toBe(201);
    const listed = await t.http().get('/ops/tenants').set(admin);
    expect(listed.body.tenants.find((x: { tenant: string }) => x.tenant === tenant)).toMatchObject({ keys: [] });
    expect((await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin)).status).toBe(201);
  });

  it.each([
    ['an existing tenant', () => ({ tenant: envTenant }), 409, `Tenant ${envTenant} already exists`],
    ['a bad name', () => ({ tenant: 'no spaces!' }), 400, 'Request validation failed'],
    ['an unknown plan', () => ({ tenant: uniqueTenant('PLAN'), plan: 'platinum' }), 400, /Unknown plan "platinum"/],
  ])('refuses %s, and leaves no audit row', async (_, body, status, message) => {
    const before = (await audit('action=tenant.create&limit=100')).length;
    const res = await create(body());
    expect(res.status).toBe(status);
    expect(res.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
    expect((await audit('action=tenant.create&limit=100')).length).toBe(before);
  });

  it('409 for a tenant created twice', async () => {
    const tenant = uniqueTenant('TWICE');
    expect((await create({ tenant })).status).toBe(201);
    const again = await create({ tenant });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, message: `Tenant ${tenant} already exists` });
  });

  it('GET and PATCH answer 404 for an unknown tenant', async () => {
    expect((await t.http().get('/ops/tenants/NOSUCHTENANT').set(admin)).status).toBe(404);
    const patched = await t.http().patch('/ops/tenants/NOSUCHTENANT').set(admin).send({ displayName: 'x' });
    expect(patched.status).toBe(404);
    expect(patched.body.message).toBe('Tenant NOSUCHTENANT not found');
  });

  it('suspends and resumes: 403 "Tenant suspended" on every tenant route, data kept', async () => {
    const tenant = uniqueTenant('SUSP');
    const { key } = (await create({ tenant, mintKey: true })).body.key;
    const captured = await t.http().post('/v1/leads').set('x-api-key', key).send(lead('Bo'));
    const suspended = await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ tenant, status: 'suspended' });

    for (const call of [
      () => t.http().get('/v1/leads'),
      () => t.http().post('/v1/leads').send(lead('Cy')),
      () => t.http().get(`/v1/leads/${captured.body.id}`),
      () => t.http().get('/ops/model-status'),
    ]) {
      const res = await call().set('x-api-key', key);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', message: 'Tenant suspended' });
    }
    expect((await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ status: 'active' })).status).toBe(200);
    const back = await t.http().get(`/v1/leads/${captured.body.id}`).set('x-api-key', key);
    expect(back.status).toBe(200);

    const actions = (await audit(`tenant=${tenant}`)).map((e: { action: string }) => e.action);
    expect(actions).toEqual(['tenant.resume', 'tenant.suspend', 'tenant.create']);
  });

  it('changes plan and display name; an unknown plan is 400 and changes nothing', async () => {
    const tenant = uniqueTenant('PLANS');
    await create({ tenant });
    const bad = await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ plan: 'gold' });
    expect(bad.status).toBe(400);
    const renamed = await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ displayName: 'Renamed Co' });
    expect(renamed.body).toMatchObject({ displayName: 'Renamed Co', plan: 'default' });
    const rows = await audit(`tenant=${tenant}&action=tenant.update`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: expect.stringMatching(/^sha256:/), requestId: expect.any(String) });
  });

  it('a change whose audit row cannot be written is rolled back (same transaction)', async () => {
    const tenant = uniqueTenant('ATOMIC');
    await create({ tenant, displayName: 'Before' });
    const spy = jest.spyOn(t.app.get(AuditRepository), 'insert').mockRejectedValueOnce(new Error('audit write failed'));
    try {
      const res = await t.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ displayName: 'After' });
      expect(res.status).toBe(500);
    } finally {
      spy.mockRestore();
    }
    const detail = await t.http().get(`/ops/tenants/${tenant}`).set(admin);
    expect(detail.body.displayName).toBe('Before');
    expect(await audit(`tenant=${tenant}&action=tenant.update`)).toEqual([]);
  });

  it('DELETE without erase=true is 400 and explains the flag', async () => {
    const tenant = uniqueTenant('KEEP');
    await create({ tenant });
    const res = await t.http().delete(`/ops/tenants/${tenant}`).set(admin);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/erase=true/);
    expect((await t.http().get(`/ops/tenants/${tenant}`).set(admin)).status).toBe(200);
  });

  it('a tenant with keys in the environment cannot be erased: 409 naming the source', async () => {
    const res = await t.http().delete(`/ops/tenants/${envTenant}?erase=true`).set(admin);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(`API_KEY_${envTenant}`);
  });

  it('erases exactly one tenant’s rows, in one transaction; other tenants are untouched', async () => {
    const ds = t.app.get(DataSource);
    const count = async (table: string, tenant: string) =>
      Number(
        (await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant = $1`.replace('$1', `'${tenant}'`)))[0].n,
      );
    const tables = ['leads', 'lead_outcomes', 'idempotency_keys', 'api_keys', 'tenants'];
    const [gone, kept] = [uniqueTenant('GONE'), uniqueTenant('KEPT')];
    const seed = async (tenant: string) => {
      const { key } = (await create({ tenant, mintKey: true })).body.key;
      for (const [i, name] of ['Al', 'Bea'].entries()) {
        const res = await t
          .http()
          .post('/v1/leads')
          .set('x-api-key', key)
          .set('Idempotency-Key', `k-${i}`)
          .send(lead(name));
        await t.http().post(`/v1/leads/${res.body.id}/outcome`).set('x-api-key', key).send({ outcome: 'booked' });
      }
      return key;
    };
    const goneKey = await seed(gone);
    await seed(kept);
    const before = Object.fromEntries(await Promise.all(tables.map(async (x) => [x, await count(x, kept)])));

    const res = await t.http().delete(`/ops/tenants/${gone}?erase=true`).set(admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: gone, erased: { leads: 2, outcomes: 2, idempotencyKeys: 2, apiKeys: 1 } });
    for (const table of tables) expect(await count(table, gone)).toBe(0);
    for (const table of tables) expect(await count(table, kept)).toBe(before[table]);
    expect((await t.http().get('/v1/leads').set('x-api-key', goneKey)).status).toBe(401);
    expect((await t.http().get(`/ops/tenants/${gone}`).set(admin)).status).toBe(404);
    const [row] = await audit(`tenant=${gone}&action=tenant.erase`);
    expect(row.details).toEqual({ leads: 2, outcomes: 2, idempotencyKeys: 2, apiKeys: 1 });
    expect(JSON.stringify(await audit(`tenant=${gone}&limit=100`))).not.toMatch(/co_live_|\+1 555/);
  });

  it('pages the audit trail newest first with a cursor, and validates its query', async () => {
    const first = await t.http().get('/ops/audit?limit=2').set(admin);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http().get(`/ops/audit?limit=2&cursor=${first.body.nextCursor}`).set(admin);
    expect(second.body.items[0].at <= first.body.items[1].at).toBe(true);
    expect(second.body.items.map((e: { id: string }) => e.id)).not.toContain(first.body.items[0].id);
    expect((await t.http().get('/ops/audit?limit=101').set(admin)).status).toBe(400);
    expect((await t.http().get('/ops/audit?action=drop').set(admin)).status).toBe(400);
    expect((await t.http().get('/ops/audit?cursor=nope').set(admin)).status).toBe(400);
    expect((await t.http().get('/ops/audit')).status).toBe(401);
  });

  it('records mint, revoke, reload and usage reset in the audit trail', async () => {
    const tenant = uniqueTenant('AUD');
    await create({ tenant });
    const minted = await t.http().post(`/ops/tenants/${tenant}/keys`).set(admin);
    await t.http().delete(`/ops/tenants/${tenant}/keys/${minted.body.id}`).set(admin);
    await t.http().post('/ops/reload-auth').set(admin);
    await t.http().delete(`/ops/tenants/${tenant}/usage`).set(admin);
    const actions = (await audit(`tenant=${tenant}`)).map((e: { action: string }) => e.action);
    expect(actions).toEqual(['usage.reset', 'key.revoke', 'key.mint', 'tenant.create']);
    const [mint] = await audit(`tenant=${tenant}&action=key.mint`);
    expect(mint).toMatchObject({ target: minted.body.id, details: { fingerprint: minted.body.fingerprint } });
    expect((await audit('action=auth.reload'))[0].details).toMatchObject({ keys: expect.any(Number), plans: 1 });
  });
});

describe('tenant changes reach a second instance', () => {
  // B polls with a key it does not know yet: keep those failures under the per-IP budget.
  const fleet = twoInstances({
    env: { REQUIRE_API_KEY: 'true', API_ADMIN_KEY: ADMIN_KEY, AUTH_FAILURE_LIMIT: '100000/minute' },
  });

  it('suspended → 403 and resumed → 200 on the other instance within 2 s', async () => {
    const { a, b } = fleet;
    const tenant = uniqueTenant('FLEETS');
    const created = await a.http().post('/ops/tenants').set(admin).send({ tenant, mintKey: true });
    const key = created.body.key.key as string;
    const onB = async () => (await b.http().get('/v1/leads').set('x-api-key', key)).status;
    expect(await eventually(async () => (await onB()) === 200, 6000)).toBeLessThan(6000);

    await a.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ status: 'suspended' });
    expect(await eventually(async () => (await onB()) === 403, 2000)).toBeLessThan(2000);
    await a.http().patch(`/ops/tenants/${tenant}`).set(admin).send({ status: 'active' });
    expect(await eventually(async () => (await onB()) === 200, 2000)).toBeLessThan(2000);
  });
});
