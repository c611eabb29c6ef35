import { asTenant, tenantCallers, validLead } from './support/leads';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

describe('lead listing and search', () => {
  let db: TestDatabase;
  let t: TestApp;
  const { callers, env } = tenantCallers(2, 'PAGE');
  const [alice, bob] = callers;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('paginates with a stable cursor: no duplicates or gaps while leads are being added', async () => {
    const as = asTenant(t, alice);
    const initial: string[] = [];
    for (let i = 0; i < 25; i++)
      initial.push((await as.post('/v1/leads').send(validLead({ name: `Lead ${i}` }))).body.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const res: {
        status: number;
        body: { items: Array<{ id: string; createdAt: string }>; nextCursor: string | null };
      } = await as.get(`/v1/leads?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...res.body.items.map((item) => item.id));
      cursor = res.body.nextCursor;
      // New leads arrive between pages; they are newer than the first page and never appear later.
      await as.post('/v1/leads').send(validLead({ name: `Late ${added++}` }));
      await asTenant(t, bob).post('/v1/leads').send(validLead());
    } while (cursor);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...initial].reverse());
  });

  it('returns newest first and nextCursor null on the last page', async () => {
    const res = await asTenant(t, bob).get('/v1/leads?limit=100');
    const times = res.body.items.map((item: { createdAt: string }) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(res.body.nextCursor).toBeNull();
  });

  describe('search', () => {
    const {
      callers: [searcher],
      env: searchEnv,
    } = tenantCallers(1, 'SEARCH');
    let app: TestApp;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      app = await startTestApp(db.url, { env: searchEnv });
      const as = asTenant(app, searcher);
      const leads: Array<[string, Record<string, unknown>]> = [
        ['roofTwice', { name: 'Ana Roof', company: 'Roof Masters', details: 'Metal roof estimate, roof leaks' }],
        ['roofOnce', { name: 'Ben Stone', company: null, details: 'Estimate for a new ROOF please' }],
        ['gutter', { name: 'Cleo Gutter', company: 'Gutterworks', details: 'Gutter cleaning quote' }],
        ['unicode', { name: 'Zoë Müller', company: 'Dächer GmbH', details: 'Angebot für ein Dach' }],
        ['wildcard', { name: 'Percent Pat', company: null, details: '100% sure about 50_50 split' }],
      ];
      for (const [label, fields] of leads) {
        ids[label] = (
          await as.post('/v1/leads').send(validLead({ ...fields, company: fields.company ?? undefined }))
        ).body.id;
      }
    });
    afterAll(async () => {
      await app?.close();
    });

    const search = (q: string, extra = '') =>
      asTenant(app, searcher).get(`/v1/leads/search?q=${encodeURIComponent(q)}${extra}`);

    it('ranks by number of term hits across name, company and details (case-insensitive)', async () => {
      const res = await search('roof estimate');
      expect(res.status).toBe(200);
      expect(res.body.query).toBe('roof estimate');
      expect(res.body.count).toBe(2);
      expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([ids.roofTwice, ids.roofOnce]);
      expect(res.body.results[0]).toEqual({
        id: ids.roofTwice,
        name: 'Ana Roof',
        score: expect.any(Number),
        hits: 5,
        preview: expect.stringContaining('roof'),
      });
      expect(res.body.results[1].hits).toBe(2);
    });

    it('matches unicode the same way on every database', async () => {
      expect((await search('MÜLLER')).body.results.map((r: { id: string }) => r.id)).toEqual([ids.unicode]);
      expect((await search('dächer')).body.count).toBe(1);
    });

    it('treats % and _ literally', async () => {
      expect((await search('%')).body.count).toBe(0);
      expect((await search('50_50')).body.results.map((r: { id: string }) => r.id)).toEqual([ids.wildcard]);
      expect((await search('_')).body.count).toBe(0);
    });

    it('honours limit and returns nothing for unmatched terms', async () => {
      expect((await search('roof', '&limit=1')).body.count).toBe(1);
      expect((await search('zzzznothing')).body).toEqual({ query: 'zzzznothing', count: 0, results: [] });
    });

    it.each(['', 'x'.repeat(201)])('400 for q of length %#', async (q) => {
      expect((await search(q)).status).toBe(400);
    });

    it('400 without q and for absurd limits', async () => {
      expect((await asTenant(app, searcher).get('/v1/leads/search')).status).toBe(400);
      expect((await search('roof', '&limit=100000')).status).toBe(400);
      expect((await search('roof', '&limit=-1')).status).toBe(400);
    });
  });
});
