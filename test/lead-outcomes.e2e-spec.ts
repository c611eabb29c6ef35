import { LeadsMetrics } from '../apps/customer-ops/src/leads/leads.metrics';
import { LeadsRepository } from '../apps/customer-ops/src/leads/leads.repository';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { parsePrometheus } from './support/prometheus';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('lead outcomes and analytics', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(2, 'OUT');
  const [alice, bob] = callers;
  const boot = () => startTestApp(db.url, { env: { ...env, REQUIRE_API_KEY: 'true' } });
  const metric = async (app: TestApp, name: string, labels?: Record<string, string>) =>
    parsePrometheus((await app.http().get('/metrics')).text).value(name, labels);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await boot();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const capture = async (caller = alice) =>
    (await asTenant(t, caller).post('/v1/leads').send(validLead())).body.id as string;
  const record = (id: string, body: Record<string, unknown>, caller = alice) =>
    asTenant(t, caller).post(`/v1/leads/${id}/outcome`).send(body);

  it('records an outcome: 200 with leadId, outcome and recordedAt; the lead keeps it with its history', async () => {
    const id = await capture();
    const res = await record(id, { outcome: 'qualified', notes: 'Called back', timeToConversionSeconds: 60 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ leadId: id, outcome: 'qualified', recordedAt: expect.any(String) });

    const changed = await record(id, { outcome: 'booked', timeToConversionSeconds: 3600 });
    expect(changed.status).toBe(200);
    const lead = (await asTenant(t, alice).get(`/v1/leads/${id}`)).body;
    expect(lead.outcome).toBe('booked');
    expect(lead.outcomes).toEqual([
      { outcome: 'qualified', notes: 'Called back', timeToConversionSeconds: 60, recordedAt: res.body.recordedAt },
      { outcome: 'booked', notes: null, timeToConversionSeconds: 3600, recordedAt: changed.body.recordedAt },
    ]);
    const filtered = (await asTenant(t, alice).get('/v1/leads?outcome=booked')).body.items;
    expect(filtered.map((l: { id: string }) => l.id)).toContain(id);
  });

  it('400 for an invalid outcome, listing the allowed values', async () => {
    const id = await capture();
    const res = await record(id, { outcome: 'won' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.details)).toContain('booked, ghosted, qualified, unqualified, nurture, spam');
    for (const body of [
      {},
      { outcome: 'booked', notes: 'n'.repeat(501) },
      { outcome: 'booked', timeToConversionSeconds: -1 },
      { outcome: 'booked', timeToConversionSeconds: 1.5 },
      { outcome: 'booked', extra: true },
    ]) {
      expect((await record(id, body)).status).toBe(400);
    }
    expect((await asTenant(t, alice).get(`/v1/leads/${id}`)).body.outcomes).toEqual([]);
  });

  it('404 for an unknown lead', async () => {
    const res = await record('00000000-0000-4000-8000-000000000000', { outcome: 'booked' });
    expect(res.status).toBe(404);
  });

  it('lead_outcome_total counts every recording by outcome', async () => {
    const id = await capture();
    const before = await metric(t, 'lead_outcome_total', { outcome: 'nurture' });
    await record(id, { outcome: 'nurture' });
    await record(id, { outcome: 'nurture' });
    expect((await metric(t, 'lead_outcome_total', { outcome: 'nurture' })) - before).toBe(2);
  });

  it('outcome requests never run the cross-tenant conversion aggregate; the refresh timer does', async () => {
    const repository = t.app.get(LeadsRepository);
    const aggregate = jest.spyOn(repository, 'conversionTotals');
    try {
      const ids = [await capture(), await capture(), await capture(bob)];
      for (const [i, outcome] of ['booked', 'ghosted', 'booked', 'spam', 'qualified'].entries()) {
        const caller = i === 2 ? bob : alice;
        expect((await record(ids[i % 3], { outcome }, caller)).status).toBe(200);
      }
      expect((await asTenant(t, alice).get('/v1/analytics/outcomes')).status).toBe(200);
      expect(aggregate).not.toHaveBeenCalled();
      // What the timer runs: one aggregate, and the gauge follows the database.
      await t.app.get(LeadsMetrics).refreshConversionRate();
      expect(aggregate).toHaveBeenCalledTimes(1);
      const totals = await (aggregate.mock.results[0].value as ReturnType<LeadsRepository['conversionTotals']>);
      expect(totals.withOutcome).toBeGreaterThan(0);
      expect(await metric(t, 'lead_conversion_rate')).toBeCloseTo(totals.booked / totals.withOutcome, 6);
    } finally {
      aggregate.mockRestore();
    }
  });

  describe('analytics and conversion rate', () => {
    let freshDb: TestDatabase;
    let app: TestApp;
    const asBob = () => asTenant(app, bob);
    const asAlice = () => asTenant(app, alice);

    beforeAll(async () => {
      freshDb = await createTestDatabase();
      app = await startTestApp(freshDb.url, { env: { ...env, REQUIRE_API_KEY: 'true' } });
    });
    afterAll(async () => {
      await app?.close();
      await freshDb?.drop();
    });

    it('computes the breakdown, conversion and average time to conversion per tenant', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await asAlice().post('/v1/leads').send(validLead())).body.id);
      await asAlice().post(`/v1/leads/${ids[0]}/outcome`).send({ outcome: 'booked', timeToConversionSeconds: 100 });
      await asAlice().post(`/v1/leads/${ids[1]}/outcome`).send({ outcome: 'booked', timeToConversionSeconds: 300 });
      await asAlice().post(`/v1/leads/${ids[2]}/outcome`).send({ outcome: 'ghosted' });
      // A lead whose outcome changes counts once, under its latest outcome.
      await asAlice().post(`/v1/leads/${ids[3]}/outcome`).send({ outcome: 'booked', timeToConversionSeconds: 50 });
      await asAlice().post(`/v1/leads/${ids[3]}/outcome`).send({ outcome: 'spam' });
      // Another tenant's booking does not show in Alice's analytics.
      const bobLead = (await asBob().post('/v1/leads').send(validLead())).body.id;
      await asBob().post(`/v1/leads/${bobLead}/outcome`).send({ outcome: 'booked', timeToConversionSeconds: 9 });

      const res = await asAlice().get('/v1/analytics/outcomes');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        totalLeads: 5,
        totalOutcomes: 4,
        breakdown: { booked: 2, ghosted: 1, qualified: 0, unqualified: 0, nurture: 0, spam: 1 },
        conversionRate: 0.5,
        avgTimeToConversionSeconds: 200,
      });
      expect((await asBob().get('/v1/analytics/outcomes')).body).toMatchObject({
        totalLeads: 1,
        totalOutcomes: 1,
        conversionRate: 1,
        avgTimeToConversionSeconds: 9,
      });
      // Across tenants: 3 booked of 5 leads with an outcome, once the gauge's timer has run.
      await app.app.get(LeadsMetrics).refreshConversionRate();
      expect(await metric(app, 'lead_conversion_rate')).toBeCloseTo(3 / 5, 6);
    });

    it('keeps the conversion rate and outcomes across a restart', async () => {
      await app.close();
      // Another process may have moved the gauge meanwhile; the new app must read the database.
      app = await startTestApp(freshDb.url, { env: { ...env, REQUIRE_API_KEY: 'true' } });
      expect(await metric(app, 'lead_conversion_rate')).toBeCloseTo(3 / 5, 6);
      const analytics = await asAlice().get('/v1/analytics/outcomes');
      expect(analytics.body.breakdown.booked).toBe(2);
      const bobLead = (await asBob().get('/v1/leads')).body.items[0];
      expect(bobLead.outcome).toBe('booked');
    });

    it('reports zeros for a tenant without leads', async () => {
      const {
        callers: [carol],
        env: carolEnv,
      } = tenantCallers(1, 'EMPTY');
      await app.close();
      app = await startTestApp(freshDb.url, { env: { ...env, ...carolEnv } });
      expect((await asTenant(app, carol).get('/v1/analytics/outcomes')).body).toEqual({
        totalLeads: 0,
        totalOutcomes: 0,
        breakdown: { booked: 0, ghosted: 0, qualified: 0, unqualified: 0, nurture: 0, spam: 0 },
        conversionRate: 0,
        avgTimeToConversionSeconds: null,
      });
    });
  });
});
