import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../apps/customer-ops/src/leads/entities/idempotency-key.entity';
import { LeadEntity } from '../apps/customer-ops/src/leads/entities/lead.entity';
import { requestHash } from '../apps/customer-ops/src/leads/idempotency.service';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('Idempotency-Key on POST /v1/leads', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(2, 'IDEM');
  const [alice, bob] = callers;
  const leadCount = (tenant: string) => t.app.get(DataSource).getRepository(LeadEntity).countBy({ tenant });
  const post = (key: string, body: Record<string, unknown>, caller = alice) =>
    asTenant(t, caller).post('/v1/leads').set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('replays the original status and body with Idempotent-Replayed, creating nothing', async () => {
    const before = await leadCount(alice.tenant);
    const first = await post('order-1', validLead());
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('order-1', { ...validLead() });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await leadCount(alice.tenant)).toBe(before + 1);
  });

  it('treats the same body with keys in another order as the same request', async () => {
    const body = validLead({ name: 'Order Insensitive' });
    const reversed = Object.fromEntries(Object.entries(body).reverse());
    const first = await post('order-2', body);
    const again = await post('order-2', reversed);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('422 for the same key with a different body, creating nothing', async () => {
    await post('order-3', validLead());
    const before = await leadCount(alice.tenant);
    const res = await post('order-3', validLead({ name: 'Someone Else' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
    expect(await leadCount(alice.tenant)).toBe(before);
  });

  it('keys are per tenant', async () => {
    const a = await post('shared-key', validLead());
    const b = await post('shared-key', validLead(), bob);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.tenant).toBe(bob.tenant);
  });

  it('409 while a request with the same key is still in flight', async () => {
    const body = validLead({ name: 'In Flight' });
    const now = new Date();
    await t.app
      .get(DataSource)
      .getRepository(IdempotencyKeyEntity)
      .insert({
        tenant: alice.tenant,
        key: 'in-flight-key',
        requestHash: requestHash(body),
        state: 'in_flight',
        responseStatus: null,
        responseBody: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 60_000),
      });
    const before = await leadCount(alice.tenant);
    const res = await post('in-flight-key', body);
    expect(res.status).toBe(409);
    expect(res.body.statusCode).toBe(409);
    expect(await leadCount(alice.tenant)).toBe(before);
  });

  it('concurrent duplicates create exactly one lead', async () => {
    const before = await leadCount(alice.tenant);
    const body = validLead({ name: 'Concurrent' });
    const responses = await Promise.all(Array.from({ length: 8 }, () => post('concurrent-key', body)));
    const created = responses.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    expect(created).toHaveLength(1);
    for (const res of responses) {
      expect([201, 409]).toContain(res.status);
      if (res.status === 201) expect(res.body.id).toBe(created[0].body.id);
    }
    expect(await leadCount(alice.tenant)).toBe(before + 1);
  });

  it('a rejected request does not claim its key', async () => {
    const bad = await post('retry-after-400', { name: 'x' });
    expect(bad.status).toBe(400);
    const good = await post('retry-after-400', validLead());
    expect(good.status).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('an expired key is reused as new', async () => {
    const body = validLead({ name: 'Expired Key' });
    const first = await post('expiring-key', body);
    await t.app
      .get(DataSource)
      .getRepository(IdempotencyKeyEntity)
      .update({ tenant: alice.tenant, key: 'expiring-key' }, { expiresAt: new Date(Date.now() - 1000) });
    const again = await post('expiring-key', body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
  });

  it.each([['x'.repeat(256)], ['has space'], ['ünïcode']])('400 for an invalid key %#', async (key) => {
    const res = await asTenant(t, alice)
      .post('/v1/leads')
      .set('Idempotency-Key', Buffer.from(key, 'utf8').toString('latin1'))
      .send(validLead());
    expect(res.status).toBe(400);
  });

  it('accepts a 255-character key', async () => {
    expect((await post('k'.repeat(255), validLead())).status).toBe(201);
  });
});
