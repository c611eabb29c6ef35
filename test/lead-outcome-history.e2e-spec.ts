import fc from 'fast-check';
import { LeadsRepository } from '../apps/customer-ops/src/leads/leads.repository';
import { OUTCOMES } from '../apps/customer-ops/src/leads/outcomes';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { TestClock } from './support/test-clock';
import { startTestApp, TestApp } from './support/test-app';

interface Entry {
  outcome: string;
  notes: string | null;
  timeToConversionSeconds: number | null;
  recordedAt: string;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}

describe('a lead’s outcome history: bounded on the lead, paged at /outcomes', () => {
  let db: TestDatabase;
  let t: TestApp;
  const clock = new TestClock();
  const { callers, env } = tenantCallers(2, 'HIST');
  const [alice, bob] = callers;
  const as = (caller = alice) => asTenant(t, caller);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env: { ...env, REQUIRE_API_KEY: 'true' }, clock });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const capture = async () => (await as().post('/v1/leads').send(validLead())).body.id as string;
  /** Records `count` outcomes, `stepMs` apart on the clock, numbered in their notes; returns them oldest first. */
  const recordMany = async (id: string, count: number, stepMs = 1000): Promise<Entry[]> => {
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      clock.advance(stepMs);
      const outcome = OUTCOMES[i % OUTCOMES.length];
      const res = await as()
        .post(`/v1/leads/${id}/outcome`)
        .send({ outcome, notes: `#${i}` });
      expect(res.status).toBe(200);
      entries.push({
        outcome,
        notes: `#${i}`,
        // A booking is measured from capture; the others carry none.
        timeToConversionSeconds: outcome === 'booked' ? (expect.any(Number) as unknown as number) : null,
        recordedAt: res.body.recordedAt,
      });
    }
    return entries;
  };
  const allPages = async (id: string, limit?: number): Promise<{ pages: Page[]; items: Entry[] }> => {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const query = [limit ? `limit=${limit}` : '', cursor ? `cursor=${cursor}` : ''].filter(Boolean).join('&');
      const res = await as().get(`/v1/leads/${id}/outcomes${query ? `?${query}` : ''}`);
      expect(res.status).toBe(200);
      pages.push(res.body as Page);
      cursor = (res.body as Page).nextCursor;
    } while (cursor && pages.length < 20);
    return { pages, items: pages.flatMap((p) => p.items) };
  };
  const notesOf = (entries: Entry[]) => entries.map((e) => e.notes);

  it('GET /v1/leads/:id carries the latest 50 outcomes, oldest first, with outcomesTruncated beyond 50', async () => {
    const id = await capture();
    const recorded = await recordMany(id, 50);
    const atFifty = (await as().get(`/v1/leads/${id}`)).body;
    expect(atFifty.outcomes).toEqual(recorded);
    expect(atFifty.outcomesTruncated).toBe(false);

    recorded.push(...(await recordMany(id, 3)));
    const detail = (await as().get(`/v1/leads/${id}`)).body;
    expect(detail.outcomes).toHaveLength(50);
    expect(detail.outcomes).toEqual(recorded.slice(3));
    expect(detail.outcomesTruncated).toBe(true);
    expect(detail.outcome).toBe(recorded[recorded.length - 1].outcome);
  });

  it('the detail reads at most 51 history rows, however long the history', async () => {
    const id = await capture();
    await recordMany(id, 60, 10);
    const repository = t.app.get(LeadsRepository);
    const read = jest.spyOn(repository, 'outcomesNewestFirst');
    try {
      expect((await as().get(`/v1/leads/${id}`)).body.outcomesTruncated).toBe(true);
      expect(read).toHaveBeenCalledTimes(1);
      expect(read.mock.calls[0][3]).toBe(51);
      expect(await read.mock.results[0].value).toHaveLength(51);
    } finally {
      read.mockRestore();
    }
  });

  it('GET /v1/leads/:id/outcomes pages through every outcome, newest first, 20 by default', async () => {
    const id = await capture();
    const recorded = await recordMany(id, 53);
    const newestFirst = [...recorded].reverse();

    const byDefault = await allPages(id);
    expect(byDefault.pages.map((p) => p.items.length)).toEqual([20, 20, 13]);
    expect(byDefault.items).toEqual(newestFirst);
    expect(byDefault.pages[2].nextCursor).toBeNull();

    const by7 = await allPages(id, 7);
    expect(by7.pages.map((p) => p.items.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 4]);
    expect(notesOf(by7.items)).toEqual(notesOf(newestFirst));

    const whole = await as().get(`/v1/leads/${id}/outcomes?limit=100`);
    expect(whole.body).toEqual({ items: newestFirst, nextCursor: null });
    // Exactly one page's worth: no empty page after it.
    const exact = await allPages(id, 53);
    expect(exact.pages).toHaveLength(1);
  });

  it('orders outcomes recorded in the same millisecond by id, with no page skipping or repeating one', async () => {
    const id = await capture();
    const recorded = await recordMany(id, 9, 0);
    const paged = await allPages(id, 2);
    expect(paged.pages).toHaveLength(5);
    expect(notesOf(paged.items).sort()).toEqual(notesOf(recorded).sort());
    // Same order as the detail, reversed.
    const detail = (await as().get(`/v1/leads/${id}`)).body;
    expect(notesOf(detail.outcomes)).toEqual(notesOf(paged.items).reverse());
  });

  it('an empty history is an empty page', async () => {
    const id = await capture();
    expect((await as().get(`/v1/leads/${id}/outcomes`)).body).toEqual({ items: [], nextCursor: null });
    expect((await as().get(`/v1/leads/${id}`)).body).toMatchObject({ outcomes: [], outcomesTruncated: false });
  });

  it("404 for an unknown lead and for another tenant's lead", async () => {
    const id = await capture();
    await recordMany(id, 2);
    const unknown = await as().get('/v1/leads/00000000-0000-4000-8000-000000000000/outcomes');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const foreign = await as(bob).get(`/v1/leads/${id}/outcomes`);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('#0');
    // Nor does another tenant's cursor open it.
    const cursor = (await as().get(`/v1/leads/${id}/outcomes?limit=1`)).body.nextCursor;
    expect((await as(bob).get(`/v1/leads/${id}/outcomes?cursor=${cursor}`)).status).toBe(404);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'cursor=garbage',
    `cursor=${'x'.repeat(201)}`,
    `cursor=${Buffer.from(JSON.stringify(['0001-01-01T00:00:00.000Z', 'x'])).toString('base64url')}`,
    'page=2',
    'limit=5&limit=6',
  ])('400 in the envelope for ?%s', async (query) => {
    const id = await capture();
    const res = await as().get(`/v1/leads/${id}/outcomes?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('any limit and cursor: a page or a 4xx in the envelope, never a 5xx', async () => {
    const id = await capture();
    await recordMany(id, 3);
    const valid = (await as().get(`/v1/leads/${id}/outcomes?limit=1`)).body.nextCursor as string;
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('%00', '%E2%80%AE', '%ZZ', '&', '=', '[]'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 40,
    });
    const value = fc.oneof(
      text,
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.constantFrom(valid, `${valid}x`, valid.slice(1), Buffer.from('[]').toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(fc.record({ limit: value, cursor: value }, { requiredKeys: [] }), async (params) => {
        const query = Object.entries(params)
          .map(([k, v]) => `${k}=${/%|&|=|\[/.test(v) ? v : encodeURIComponent(v)}`)
          .join('&');
        const res = await as().get(`/v1/leads/${id}/outcomes?${query}`);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
        else expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String) });
      }),
      { seed: 20261, numRuns: 60 },
    );
  });

  it('400 for a malformed lead id, 401 without a key', async () => {
    expect((await as().get('/v1/leads/not-a-uuid/outcomes')).status).toBe(400);
    const id = await capture();
    expect((await t.http().get(`/v1/leads/${id}/outcomes`)).status).toBe(401);
  });

  it('is documented with its query parameters and page shape', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    const op = doc.paths['/v1/leads/{id}/outcomes'].get;
    expect(op.security).toEqual([{ 'tenant-key': [] }]);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'id', 'limit']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(doc.components.schemas.OutcomePageDto.required).toEqual(['items', 'nextCursor']);
    expect(doc.components.schemas.LeadDetailDto.properties.outcomesTruncated).toMatchObject({ type: 'boolean' });
  });
});
