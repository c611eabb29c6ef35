import { asTenant, tenantCallers, validLead } from './support/leads';
import { parsePrometheus } from './support/prometheus';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('leads: capture, enrichment, reads', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(2);
  const [alice, bob] = callers;
  let as: ReturnType<typeof asTenant>;

  const countLeads = async () => {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { items: unknown[]; nextCursor: string | null } } = await as.get(
        `/v1/leads?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      total += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    return total;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ...env, REQUIRE_API_KEY: 'true' } });
    as = asTenant(t, alice);
  });

  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  describe('POST /v1/leads', () => {
    it('201 with the stored, enriched lead', async () => {
      const res = await as
        .post('/v1/leads')
        .send(validLead({ details: 'URGENT: need an estimate for metal roof today' }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenant: alice.tenant,
        name: 'Jane Roofer',
        phone: '+1 (555) 010-2030',
        email: 'jane@example.com',
        company: 'Roofing Co',
        details: 'URGENT: need an estimate for metal roof today',
        source: 'website',
        enrichment: { intent: 'lead_capture', urgency: 'high', sentiment: 'neutral', score: 0.8 },
        conversionProbability: null,
        outcome: null,
        createdAt: expect.any(String),
      });
      const stored = await as.get(`/v1/leads/${res.body.id}`);
      expect(stored.status).toBe(200);
      expect(stored.body).toEqual({ ...res.body, outcomes: [], outcomesTruncated: false });
    });

    it('accepts a lead with only a phone or only an email', async () => {
      expect((await as.post('/v1/leads').send({ name: 'Only Phone', phone: '5550102030' })).status).toBe(201);
      const res = await as.post('/v1/leads').send({ name: 'Only Email', email: 'only@example.com' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ phone: null, company: null, details: null, source: null });
    });

    it.each([
      ['the reference case 2', 'Thanks so much, your service is awesome!', ['lead_capture', 'normal', 'positive', 0.7]],
      [
        'the reference case 3',
        'Very frustrated with the late repair and ongoing problems',
        ['support', 'normal', 'negative', 0.4],
      ],
      ['the reference case 4', 'I have a warranty question about a leak repair', ['support', 'high', 'neutral', 0.6]],
      ['the reference case 5', 'I know the snow is heavy', ['lead_capture', 'normal', 'neutral', 0.7]],
    ])('enriches %s', async (_, details, [intent, urgency, sentiment, score]) => {
      const res = await as.post('/v1/leads').send(validLead({ details }));
      expect(res.body.enrichment).toEqual({ intent, urgency, sentiment, score });
      expect((await as.get(`/v1/leads/${res.body.id}`)).body.enrichment).toEqual({ intent, urgency, sentiment, score });
    });

    it('enriches from the name when there are no details', async () => {
      const res = await as.post('/v1/leads').send({ name: 'Emergency leak repair', phone: '5550102030' });
      expect(res.body.enrichment).toEqual({ intent: 'support', urgency: 'high', sentiment: 'neutral', score: 0.6 });
    });

    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['name too short', { name: 'J' }, 'name'],
      ['name too long', { name: 'x'.repeat(201) }, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['name missing', { name: undefined }, 'name'],
      ['name not a string', { name: 42 }, 'name'],
      ['phone too short', { phone: '12345' }, 'phone'],
      ['phone too long', { phone: '1'.repeat(33) }, 'phone'],
      ['phone with letters', { phone: '555-CALL-NOW' }, 'phone'],
      ['phone as a number', { phone: 5550102030 }, 'phone'],
      ['phone with fewer than 7 digits', { phone: '(55) 501-0' }, 'phone'],
      ['name with a newline', { name: 'Jane\nRoofer' }, 'name'],
      ['company with a bidi override', { company: 'Roofing \u202eoC' }, 'company'],
      ['details with a lone CR', { details: 'line one\rline two' }, 'details'],
      ['details with a zero-width space', { details: 'free\u200bquote' }, 'details'],
      ['invalid email', { email: 'not-an-email' }, 'email'],
      ['email too long', { email: `${'a'.repeat(250)}@x.io` }, 'email'],
      ['company too long', { company: 'c'.repeat(201) }, 'company'],
      ['details too long', { details: 'd'.repeat(4001) }, 'details'],
      ['details as an object', { details: { text: 'x' } }, 'details'],
      ['source too long', { source: 's'.repeat(65) }, 'source'],
      ['no phone and no email', { phone: undefined, email: undefined }, 'phone'],
      ['null phone and email', { phone: null, email: null }, 'phone'],
      ['an unknown field', { tenant: 'SOMEONE_ELSE' }, 'tenant'],
      ['an injected id', { id: '00000000-0000-0000-0000-000000000000' }, 'id'],
    ];

    it.each(cases)('400 for %s, naming the field, creating nothing', async (_, overrides, field) => {
      const before = await countLeads();
      const res = await as.post('/v1/leads').send(validLead(overrides));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Request validation failed' });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await countLeads()).toBe(before);
    });

    it('accepts the boundaries', async () => {
      const res = await as.post('/v1/leads').send({
        name: 'x'.repeat(200),
        phone: '1'.repeat(32),
        email: `${'a'.repeat(64)}@${'b'.repeat(60)}.example.com`,
        company: 'c'.repeat(200),
        details: 'd'.repeat(4000),
        source: 's'.repeat(64),
      });
      expect(res.status).toBe(201);
      expect((await as.post('/v1/leads').send({ name: 'Jo', phone: '1234567' })).status).toBe(201);
    });

    it('400 for a non-object body', async () => {
      for (const body of ['[1,2]', '"text"', '42']) {
        const res = await as.post('/v1/leads').set('Content-Type', 'application/json').send(body);
        expect(res.status).toBe(400);
      }
    });

    it('never logs phone numbers, e-mail addresses or details', async () => {
      const secret = {
        phone: '+44 20 7946 0958',
        email: 'private.person@example.org',
        details: 'my-secret-details-token',
      };
      await as.post('/v1/leads').send(validLead(secret));
      await as.post('/v1/leads').send(validLead({ ...secret, name: 'X' }));
      const logs = t.logs.text();
      for (const value of Object.values(secret)) expect(logs).not.toContain(value);
    });
  });

  describe('reads', () => {
    it('GET /v1/leads/:id -> 404 for an unknown id, 400 for a malformed one', async () => {
      const missing = await as.get('/v1/leads/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('Not Found');
      expect((await as.get('/v1/leads/not-a-uuid')).status).toBe(400);
    });

    it('lists newest first with filters', async () => {
      const urgent = await as.post('/v1/leads').send(validLead({ details: 'burst pipe, emergency repair' }));
      const res = await as.get('/v1/leads?urgency=high&intent=support&limit=5');
      expect(res.status).toBe(200);
      expect(res.body.items[0].id).toBe(urgent.body.id);
      for (const item of res.body.items) expect(item.enrichment).toMatchObject({ urgency: 'high', intent: 'support' });
    });

    it.each([
      'limit=0',
      'limit=101',
      'limit=abc',
      'intent=sales',
      'urgency=low',
      'outcome=won',
      'cursor=garbage',
      'page=2',
    ])('400 for ?%s', async (query) => {
      const res = await as.get(`/v1/leads?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    });
  });

  describe('tenant isolation', () => {
    let aliceLead: string;
    beforeAll(async () => {
      aliceLead = (
        await as.post('/v1/leads').send(validLead({ name: 'Isolated Lead', details: 'isolationprobe roof' }))
      ).body.id;
    });

    const bobAs = () => asTenant(t, bob);

    it("hides another tenant's lead on GET (404)", async () => {
      expect((await bobAs().get(`/v1/leads/${aliceLead}`)).status).toBe(404);
    });

    it("refuses to record an outcome on another tenant's lead (404), changing nothing", async () => {
      const res = await bobAs().post(`/v1/leads/${aliceLead}/outcome`).send({ outcome: 'spam' });
      expect(res.status).toBe(404);
      const lead = await as.get(`/v1/leads/${aliceLead}`);
      expect(lead.body.outcome).toBeNull();
      expect(lead.body.outcomes).toEqual([]);
    });

    it("leaves another tenant's leads out of lists, search and analytics", async () => {
      const list = await bobAs().get('/v1/leads?limit=100');
      expect(list.body.items.map((l: { id: string }) => l.id)).not.toContain(aliceLead);
      const search = await bobAs().get('/v1/leads/search?q=isolationprobe');
      expect(search.body.count).toBe(0);
      expect((await as.get('/v1/leads/search?q=isolationprobe')).body.count).toBe(1);
      const analytics = await bobAs().get('/v1/analytics/outcomes');
      expect(analytics.body.totalLeads).toBe(0);
    });

    it('every lead route answers 401 without a key', async () => {
      for (const req of [
        t.http().post('/v1/leads').send(validLead()),
        t.http().get('/v1/leads'),
        t.http().get(`/v1/leads/${aliceLead}`),
        t.http().post(`/v1/leads/${aliceLead}/outcome`).send({ outcome: 'booked' }),
        t.http().get('/v1/leads/search?q=x'),
        t.http().get('/v1/analytics/outcomes'),
      ]) {
        expect((await req).status).toBe(401);
      }
    });
  });

  describe('metrics', () => {
    it('lead_enrich_total and lead_enrich_score move with the right labels', async () => {
      const before = parsePrometheus((await t.http().get('/metrics')).text);
      await as
        .post('/v1/leads')
        .send(validLead({ details: 'Very frustrated with the late repair and ongoing problems' }));
      await as
        .post('/v1/leads')
        .send(validLead({ details: 'Very frustrated with the late repair and ongoing problems' }));
      const after = parsePrometheus((await t.http().get('/metrics')).text);
      const labels = { intent: 'support', urgency: 'normal', sentiment: 'negative' };
      expect(after.value('lead_enrich_total', labels) - before.value('lead_enrich_total', labels)).toBe(2);
      expect(after.value('lead_enrich_score_count') - before.value('lead_enrich_score_count')).toBe(2);
      const le = (s: typeof after, bound: string) => s.value('lead_enrich_score_bucket', { le: bound });
      expect(le(after, '0.5') - le(before, '0.5')).toBe(2);
      expect(le(after, '0.25') - le(before, '0.25')).toBe(0);
    });
  });
});

describe('leads: ENABLE_ENRICHMENT=false', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(1);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ...env, ENABLE_ENRICHMENT: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('stores unknown / medium / neutral / 0.5', async () => {
    const res = await asTenant(t, callers[0])
      .post('/v1/leads')
      .send(validLead({ details: 'URGENT: need an estimate for metal roof today' }));
    expect(res.status).toBe(201);
    expect(res.body.enrichment).toEqual({ intent: 'unknown', urgency: 'medium', sentiment: 'neutral', score: 0.5 });
  });
});
