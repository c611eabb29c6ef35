import { DataSource } from 'typeorm';
import { asTenant, tenantCallers, validLead } from './support/leads';
import { countStatements, SentStatement, StatementCounter } from './support/statement-counter';
import { createTestDatabase, e2eDatabaseKind, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * What the lead routes send to the database, counted at the driver (see statement-counter.ts):
 * on Postgres every round trip, BEGIN and COMMIT included; on SQLite, which runs in-process and
 * has no round trips, every statement executed. The app's background pollers (tenant
 * directory, model, key sync, purge) run on setInterval, which this suite holds still, so every
 * statement counted is the request's own.
 */
const postgres = e2eDatabaseKind() === 'postgres';

/** The columns a lead's response is made of; never the search text, nor anything the response drops. */
const LEAD_COLUMNS = [
  'id',
  'name',
  'phone',
  'email',
  'company',
  'details',
  'source',
  'intent',
  'urgency',
  'sentiment',
  'score',
  'conversionProbability',
  'outcome',
  'createdAt',
];
const OUTCOME_COLUMNS = ['id', 'outcome', 'notes', 'timeToConversionSeconds', 'recordedAt'];
const SEARCH_COLUMNS = ['id', 'name', 'score', 'text', 'hits'];

const BEGIN = /^(START TRANSACTION|BEGIN)/;
const COMMIT = /^COMMIT/;
const INSERT_LEAD = /^INSERT INTO "leads"/;
const CLAIM = /^INSERT INTO "idempotency_keys" .* ON CONFLICT \("tenant", "key"\) DO UPDATE SET .* RETURNING/s;
const CLAIM_AND_LEAD =
  /^WITH "claimed" AS \(INSERT INTO "idempotency_keys" .* ON CONFLICT \("tenant", "key"\) DO UPDATE .*\) INSERT INTO "leads" .* WHERE EXISTS \(SELECT 1 FROM "claimed"\)/s;
const HOLDER = /^SELECT .* FROM "idempotency_keys" WHERE "tenant" = \S+ AND "key" = \S+$/;

describe('statements per lead route', () => {
  let db: TestDatabase;
  let t: TestApp;
  let counter: StatementCounter;
  const { callers, env } = tenantCallers(1, 'STMT');
  const [alice] = callers;
  const as = () => asTenant(t, alice);

  /** The statements one request sends, with its response. */
  async function sent<R extends { status: number }>(call: () => PromiseLike<R>): Promise<[R, SentStatement[]]> {
    counter.reset();
    const res = await call();
    // Anything the request sends after its response has gone (it should send nothing) shows up here.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return [res, [...counter.statements]];
  }
  const sqlOf = (statements: SentStatement[]) => statements.map((s) => s.sql);

  beforeAll(async () => {
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    db = await createTestDatabase();
    t = await startTestApp(db.url, { env });
    counter = countStatements(t.app.get(DataSource));
  });
  afterAll(async () => {
    counter?.stop();
    jest.useRealTimers();
    await t?.close();
    await db?.drop();
  });

  it('the counter sees every statement, BEGIN and COMMIT included', async () => {
    await t.app.get(DataSource).transaction((manager) => manager.query('SELECT 1'));
    expect(sqlOf(counter.statements)).toEqual([expect.stringMatching(BEGIN), 'SELECT 1', 'COMMIT']);
  });

  it('POST /v1/leads without an Idempotency-Key: one INSERT, no transaction, nothing read back', async () => {
    const [res, statements] = await sent(() =>
      as()
        .post('/v1/leads')
        .send(validLead({ name: 'No Key' })),
    );
    expect(res.status).toBe(201);
    expect(sqlOf(statements)).toEqual([expect.stringMatching(INSERT_LEAD)]);
    expect((await as().get(`/v1/leads/${res.body.id}`)).body).toEqual({
      ...res.body,
      outcomes: [],
      outcomesTruncated: false,
    });
  });

  it(
    postgres
      ? 'with a new Idempotency-Key: one round trip (the claim, the lead and the response in one statement)'
      : 'with a new Idempotency-Key: the claim, the lead and the response in one transaction of four in-process statements',
    async () => {
      const [res, statements] = await sent(() =>
        as()
          .post('/v1/leads')
          .set('Idempotency-Key', 'stmt-new')
          .send(validLead({ name: 'New Key' })),
      );
      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      if (postgres) {
        expect(statements.length).toBeLessThanOrEqual(3);
        expect(sqlOf(statements)).toEqual([expect.stringMatching(CLAIM_AND_LEAD)]);
      } else {
        expect(sqlOf(statements)).toEqual([
          expect.stringMatching(BEGIN),
          expect.stringMatching(CLAIM),
          expect.stringMatching(INSERT_LEAD),
          expect.stringMatching(COMMIT),
        ]);
      }
    },
  );

  it('a repeat of that key: the claim finds it held, one read of the record, nothing stored', async () => {
    const body = validLead({ name: 'Repeated Key' });
    const first = await as().post('/v1/leads').set('Idempotency-Key', 'stmt-repeat').send(body);
    const [again, statements] = await sent(() =>
      as().post('/v1/leads').set('Idempotency-Key', 'stmt-repeat').send(body),
    );
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(sqlOf(statements)).toEqual(
      postgres
        ? [expect.stringMatching(CLAIM_AND_LEAD), expect.stringMatching(HOLDER)]
        : [
            expect.stringMatching(BEGIN),
            expect.stringMatching(CLAIM),
            expect.stringMatching(COMMIT),
            expect.stringMatching(HOLDER),
          ],
    );
  });

  describe('reads', () => {
    let id: string;

    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        const res = await as()
          .post('/v1/leads')
          .send(validLead({ name: `Reader ${i}`, details: `Need a roof estimate, lead number ${i}` }));
        expect(res.status).toBe(201);
        id = res.body.id;
      }
      for (const outcome of ['qualified', 'booked']) {
        expect((await as().post(`/v1/leads/${id}/outcome`).send({ outcome })).status).toBe(200);
      }
    });

    it('GET /v1/leads?limit=20: one SELECT of the response columns', async () => {
      const [res, statements] = await sent(() => as().get('/v1/leads?limit=20'));
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(20);
      expect(res.body.nextCursor).toEqual(expect.any(String));
      expect(statements).toEqual([{ sql: expect.stringMatching(/^SELECT .* FROM "leads" /), columns: LEAD_COLUMNS }]);
    });

    it('a filtered page after a cursor, and an outcome filter: one SELECT each, of the response columns', async () => {
      const { intent, urgency } = (await as().get(`/v1/leads/${id}`)).body.enrichment;
      const filtered = `/v1/leads?limit=5&intent=${intent}&urgency=${urgency}`;
      const first = await as().get(filtered);
      expect(first.body.items).toHaveLength(5);
      const [next, nextStatements] = await sent(() => as().get(`${filtered}&cursor=${first.body.nextCursor}`));
      expect(next.status).toBe(200);
      expect(next.body.items).toHaveLength(5);
      const [booked, bookedStatements] = await sent(() => as().get(`${filtered}&outcome=booked`));
      expect(booked.body).toEqual({ items: [expect.objectContaining({ id, outcome: 'booked' })], nextCursor: null });
      for (const statements of [nextStatements, bookedStatements]) {
        expect(statements).toEqual([{ sql: expect.stringMatching(/^SELECT .* FROM "leads" /), columns: LEAD_COLUMNS }]);
      }
    });

    it('GET /v1/leads/search: one SELECT, ranked in the database; the search text never leaves it', async () => {
      const [res, statements] = await sent(() => as().get('/v1/leads/search?q=estimate%20number'));
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(20);
      expect(res.body.results[0]).toMatchObject({ hits: 2, preview: expect.stringContaining('estimate, lead number') });
      expect(statements).toEqual([
        { sql: expect.stringMatching(/^SELECT .* FROM \(SELECT /), columns: SEARCH_COLUMNS },
      ]);
    });

    it('GET /v1/leads/:id: two SELECTs, the lead and its latest outcomes, of the response columns', async () => {
      const [res, statements] = await sent(() => as().get(`/v1/leads/${id}`));
      expect(res.status).toBe(200);
      expect(res.body.outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['qualified', 'booked']);
      expect(statements).toEqual([
        { sql: expect.stringMatching(/^SELECT .* FROM "leads" /), columns: LEAD_COLUMNS },
        { sql: expect.stringMatching(/^SELECT .* FROM "lead_outcomes" /), columns: OUTCOME_COLUMNS },
      ]);
    });

    it('GET /v1/leads/:id of no such lead: one SELECT, then 404', async () => {
      const [res, statements] = await sent(() => as().get('/v1/leads/00000000-0000-4000-8000-000000000000'));
      expect(res.status).toBe(404);
      expect(statements).toEqual([{ sql: expect.stringMatching(/^SELECT .* FROM "leads" /), columns: LEAD_COLUMNS }]);
    });
  });
});
