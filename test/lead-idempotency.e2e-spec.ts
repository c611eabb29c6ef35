import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../apps/customer-ops/src/leads/entities/idempotency-key.entity';
import { LeadEntity } from '../apps/customer-ops/src/leads/entities/lead.entity';
import { IdempotencyRepository } from '../apps/customer-ops/src/leads/idempotency.repository';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyService,
  PURGE_BATCH_SIZE,
  requestHash,
} from '../apps/customer-ops/src/leads/idempotency.service';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
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

describe('purging expired Idempotency-Key records', () => {
  let db: TestDatabase;
  let t: TestApp;
  const clock = new TestClock();
  const { callers, env } = tenantCallers(2, 'PURGE');
  const [alice, bob] = callers;
  const boot = () => startTestApp(db.url, { env, clock });
  const records = () => t.app.get(DataSource).getRepository(IdempotencyKeyEntity);
  const keysOf = async (tenant: string) =>
    (await records().find({ where: { tenant }, order: { key: 'ASC' } })).map((r) => r.key);
  /** Stored records of `tenant` that expire `expiresInMs` from the clock's now. */
  const insertRecords = async (tenant: string, keys: string[], expiresInMs: number) => {
    const now = clock.now();
    const rows = keys.map((key) => ({
      tenant,
      key,
      requestHash: requestHash({ key }),
      state: 'done' as const,
      responseStatus: 201,
      responseBody: '{}',
      createdAt: new Date(now + expiresInMs - IDEMPOTENCY_TTL_MS),
      expiresAt: new Date(now + expiresInMs),
    }));
    for (let i = 0; i < rows.length; i += 200) await records().insert(rows.slice(i, i + 200));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await boot();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('purges at start-up, so an instance restarted before its first interval still purges', async () => {
    await insertRecords(alice.tenant, ['boot-expired-1', 'boot-expired-2'], -1);
    await insertRecords(alice.tenant, ['boot-live'], 60_000);
    await t.close();
    t = await boot();
    expect(await keysOf(alice.tenant)).toEqual(['boot-live']);
    await records().delete({ tenant: alice.tenant, key: 'boot-live' });
  });

  it('purgeNow deletes what expired by the clock, and nothing else', async () => {
    const post = (key: string, caller = alice) =>
      asTenant(t, caller)
        .post('/v1/leads')
        .set('Idempotency-Key', key)
        .send(validLead({ name: key }));
    expect((await post('old-1')).status).toBe(201);
    expect((await post('old-2', bob)).status).toBe(201);
    clock.advance(IDEMPOTENCY_TTL_MS - 1);
    expect((await post('recent')).status).toBe(201);
    const service = t.app.get(IdempotencyService);
    expect(await service.purgeNow()).toBe(0);

    clock.advance(2);
    expect(await service.purgeNow()).toBe(2);
    expect(await keysOf(alice.tenant)).toEqual(['recent']);
    expect(await keysOf(bob.tenant)).toEqual([]);
    clock.advance(IDEMPOTENCY_TTL_MS);
    expect(await service.purgeNow()).toBe(1);
    expect(await keysOf(alice.tenant)).toEqual([]);
  });

  it(`deletes at most ${PURGE_BATCH_SIZE} records per statement, repeating until none is left`, async () => {
    const expired = Array.from({ length: 2 * PURGE_BATCH_SIZE + 345 }, (_, i) => `bulk-${i}`);
    await insertRecords(alice.tenant, expired.slice(0, PURGE_BATCH_SIZE + 100), -5000);
    await insertRecords(bob.tenant, expired.slice(PURGE_BATCH_SIZE + 100), -1);
    await insertRecords(bob.tenant, ['bulk-live'], 1);
    const statements = jest.spyOn(t.app.get(IdempotencyRepository), 'purgeExpired');
    try {
      expect(await t.app.get(IdempotencyService).purgeNow()).toBe(expired.length);
      const deleted = await Promise.all(statements.mock.results.map((r) => r.value as Promise<number>));
      expect(deleted).toEqual([PURGE_BATCH_SIZE, PURGE_BATCH_SIZE, 345]);
      for (const [, batch] of statements.mock.calls) expect(batch).toBe(PURGE_BATCH_SIZE);
    } finally {
      statements.mockRestore();
    }
    expect(await keysOf(alice.tenant)).toEqual([]);
    expect(await keysOf(bob.tenant)).toEqual(['bulk-live']);
  });
});
