import { DataSource } from 'typeorm';
import { generateDemoLeads } from '../apps/customer-ops/src/leads/scoring/demo-leads';
import { ModelVersionEntity } from '../apps/customer-ops/src/model/entities/model-version.entity';
import { FEATURE_NAMES } from '../apps/customer-ops/src/model/features';
import { ADMIN_KEY } from './support/keys';
import { asTenant, tenantCallers, TenantCaller, validLead } from './support/leads';
import { parsePrometheus } from './support/prometheus';
import { eventually } from './support/redis';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
import { startTestApp, TestApp } from './support/test-app';

const admin = { 'x-admin-key': ADMIN_KEY };

async function seedOutcomes(t: TestApp, caller: TenantCaller, count: number, seed: number): Promise<void> {
  const as = asTenant(t, caller);
  for (const demo of generateDemoLeads(count, seed)) {
    const lead = await as.post('/v1/leads').send(demo.lead);
    expect(lead.status).toBe(201);
    if (demo.outcome) {
      const res = await as
        .post(`/v1/leads/${lead.body.id}/outcome`)
        .send({ outcome: demo.outcome, timeToConversionSeconds: demo.timeToConversionSeconds });
      expect(res.status).toBe(200);
    }
  }
}

async function insertVersion(t: TestApp, overrides: Partial<ModelVersionEntity>): Promise<number> {
  const repository = t.app.get(DataSource).getRepository(ModelVersionEntity);
  const latest = await repository.findOne({ where: {}, order: { version: 'DESC' } });
  const version = (latest?.version ?? 0) + 1;
  await repository.update({ active: true }, { active: false });
  await repository.insert({
    version,
    trainedAt: new Date(),
    samples: 100,
    positives: 40,
    auc: 0.8,
    featureNames: JSON.stringify(FEATURE_NAMES),
    params: JSON.stringify({
      weights: FEATURE_NAMES.map(() => 0.1),
      bias: 0,
      means: FEATURE_NAMES.map(() => 0),
      stds: FEATURE_NAMES.map(() => 1),
    }),
    metrics: '{}',
    active: true,
    ...overrides,
  });
  return version;
}

describe('lead conversion model', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const { callers, env } = tenantCallers(2, 'MODEL');
  const [alice, bob] = callers;
  const boot = () => startTestApp(db.url, { env: { ...env, API_ADMIN_KEY: ADMIN_KEY, REQUIRE_API_KEY: 'true' } });
  const status = async (t: TestApp, caller = alice) => (await asTenant(t, caller).get('/ops/model-status')).body;
  const retrain = (t: TestApp, body: Record<string, unknown> = {}) =>
    t.http().post('/ops/model/retrain').set(admin).send(body);
  const scrape = async (t: TestApp) => parsePrometheus((await t.http().get('/metrics')).text);

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await boot();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('reports no_model and captures without a probability before any training', async () => {
    expect(await status(a)).toEqual({
      loaded: false,
      model: 'lead-conversion',
      version: null,
      trainedAt: null,
      samples: null,
      auc: null,
      ageHours: null,
      health: 'no_model',
      enrichment: { kind: 'rules', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) },
      tenant: alice.tenant,
    });
    const lead = await asTenant(a, alice).post('/v1/leads').send(validLead());
    expect(lead.body.conversionProbability).toBeNull();
    expect((await scrape(a)).value('lead_model_version')).toBe(0);
  });

  it('422 with the numbers when there are too few labelled leads, or only one class', async () => {
    const as = asTenant(a, alice);
    for (let i = 0; i < 3; i++) {
      const id = (await as.post('/v1/leads').send(validLead())).body.id;
      await as.post(`/v1/leads/${id}/outcome`).send({ outcome: 'ghosted' });
    }
    const few = await retrain(a);
    expect(few.status).toBe(422);
    expect(few.body.message).toContain('at least 50 needed');
    expect(few.body.details[0]).toMatchObject({ samples: 3, positives: 0, auc: null, minSamples: 50 });

    const oneClass = await retrain(a, { minSamples: 2 });
    expect(oneClass.status).toBe(422);
    expect(oneClass.body.message).toContain('both booked and not-booked');
    expect((await status(a)).health).toBe('no_model');
  });

  it('400 for bad retrain bodies; tenant keys cannot retrain', async () => {
    for (const body of [{ minSamples: 1 }, { minSamples: 'many' }, { minAuc: 1.5 }, { minAuc: -0.1 }, { epochs: 5 }]) {
      expect((await retrain(a, body)).status).toBe(400);
    }
    expect((await a.http().post('/ops/model/retrain').set('x-api-key', alice.key)).status).toBe(401);
  });

  it('trains on recorded outcomes and activates the model', async () => {
    await seedOutcomes(a, alice, 160, 42);
    await seedOutcomes(a, bob, 80, 7);
    const res = await retrain(a);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: 1,
      trainedAt: expect.any(String),
      samples: expect.any(Number),
      positives: expect.any(Number),
      auc: expect.any(Number),
      activated: true,
    });
    expect(res.body.samples).toBeGreaterThanOrEqual(50);
    expect(res.body.auc).toBeGreaterThanOrEqual(0.6);

    const current = await status(a);
    expect(current).toMatchObject({
      loaded: true,
      version: 1,
      samples: res.body.samples,
      auc: res.body.auc,
      health: 'ok',
    });
    expect(current.ageHours).toBeGreaterThanOrEqual(0);
    expect(current.ageHours).toBeLessThan(0.1);

    const metrics = await scrape(a);
    expect(metrics.value('lead_model_version')).toBe(1);
    expect(metrics.value('lead_model_auc')).toBeCloseTo(res.body.auc, 6);
    expect(metrics.value('lead_model_samples')).toBe(res.body.samples);
    expect(Math.abs(metrics.value('lead_model_trained_timestamp_seconds') - Date.now() / 1000)).toBeLessThan(60);
  });

  it('retraining is reproducible on the same data', async () => {
    const again = await retrain(a);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    const rows = await a.app
      .get(DataSource)
      .getRepository(ModelVersionEntity)
      .find({ order: { version: 'ASC' } });
    expect(rows[1].params).toBe(rows[0].params);
    expect(rows[1].auc).toBe(rows[0].auc);
  });

  it('captures carry a conversion probability once a model is active', async () => {
    const before = (await scrape(a)).value('lead_pred_prob_count');
    const hot = await asTenant(a, alice)
      .post('/v1/leads')
      .send(validLead({ details: 'URGENT: need a quote today' }));
    const cold = await asTenant(a, alice)
      .post('/v1/leads')
      .send(validLead({ phone: undefined, details: 'Very frustrated, the roof is broken again' }));
    for (const res of [hot, cold]) {
      expect(res.status).toBe(201);
      expect(res.body.conversionProbability).toBeGreaterThan(0);
      expect(res.body.conversionProbability).toBeLessThan(1);
      expect(Math.round(res.body.conversionProbability * 1000)).toBe(res.body.conversionProbability * 1000);
      const stored = await asTenant(a, alice).get(`/v1/leads/${res.body.id}`);
      expect(stored.body.conversionProbability).toBe(res.body.conversionProbability);
    }
    expect(hot.body.conversionProbability).toBeGreaterThan(cold.body.conversionProbability);
    const after = await scrape(a);
    expect(after.value('lead_pred_prob_count') - before).toBe(2);
    expect(after.value('lead_pred_latency_seconds_count')).toBeGreaterThan(0);
  });

  it('a version that does not qualify is not activated; the active one stays', async () => {
    const res = await retrain(a, { minAuc: 0.999 });
    expect(res.status).toBe(422);
    expect(res.body.message).toContain('below 0.999');
    expect(res.body.details[0].auc).toEqual(expect.any(Number));
    expect((await retrain(a, { minSamples: 1_000_000 })).status).toBe(422);
    expect((await status(a)).version).toBe(2);
  });

  it('the active model survives a restart and is used by a second instance', async () => {
    await a.close();
    a = await boot();
    expect((await status(a)).version).toBe(2);
    b = await boot();
    expect((await status(b, bob)).version).toBe(2);
    const lead = await asTenant(b, bob).post('/v1/leads').send(validLead());
    expect(lead.body.conversionProbability).toEqual(expect.any(Number));
  });

  it('an activation on one instance reaches the other within 5 s', async () => {
    const res = await retrain(a);
    expect(res.body.version).toBe(3);
    await eventually(async () => (await status(b)).version === 3, 5000, 100);
  });

  it('reports warning_low_auc and warning_stale', async () => {
    await insertVersion(a, { auc: 0.55 });
    await eventually(async () => (await status(a)).health === 'warning_low_auc', 5000, 100);
    await insertVersion(a, { auc: 0.8, trainedAt: new Date(Date.now() - 200 * 3_600_000) });
    await eventually(async () => (await status(a)).health === 'warning_stale', 5000, 100);
    expect((await status(a)).ageHours).toBeGreaterThan(199);
  });

  it('a failing prediction never fails the capture', async () => {
    await insertVersion(a, { featureNames: JSON.stringify(['something_else']) });
    await eventually(async () => (await status(a)).auc === 0.8 && (await status(a)).health === 'ok', 5000, 100);
    const before = (await scrape(a)).value('lead_pred_errors_total');
    const lead = await asTenant(a, alice).post('/v1/leads').send(validLead());
    expect(lead.status).toBe(201);
    expect(lead.body.conversionProbability).toBeNull();
    expect((await asTenant(a, alice).get(`/v1/leads/${lead.body.id}`)).status).toBe(200);
    expect((await scrape(a)).value('lead_pred_errors_total') - before).toBe(1);
  });
});

describe('MODEL_STALE_HOURS', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(1, 'STALE');

  const clock = new TestClock();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ...env, MODEL_STALE_HOURS: '2' }, clock });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('marks a model older than the setting as stale, by the clock', async () => {
    const status = async () => (await asTenant(t, callers[0]).get('/ops/model-status')).body;
    await insertVersion(t, { trainedAt: clock.date() });
    await eventually(async () => (await status()).health === 'ok', 5000, 100);
    clock.advance(2 * 3_600_000 - 60_000);
    expect(await status()).toMatchObject({ health: 'ok', ageHours: 1.98 });
    clock.advance(120_000);
    expect(await status()).toMatchObject({ health: 'warning_stale', ageHours: 2.02 });
  });
});
