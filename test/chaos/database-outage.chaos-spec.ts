import { ApiProcess, startApiProcess } from '../support/api-process';
import { describeChaos, Load, LoadSample, queryDatabase, startLoad, tally, TcpProxy, viaPort } from '../support/chaos';
import { httpCall, HttpResult } from '../support/http-client';
import { randomKey, uniqueTenant } from '../support/keys';
import { validLead } from '../support/leads';
import { eventually } from '../support/redis';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/*
 * The API reaches a fresh Postgres database through a TCP proxy owned by this suite. Cutting
 * the proxy (open connections destroyed, new ones refused) makes the database unreachable
 * while a steady load of captures runs; then the proxy cuts at a chosen statement, and finally
 * stalls (traffic silently dropped). The shared Postgres server itself is never touched.
 */
describeChaos('the database made unreachable under load', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let api: ApiProcess;
  let load: Load<{ name: string }>;
  const tenant = uniqueTenant('CHAOSDB');
  const key = randomKey('chaos');
  const run = uniqueTenant('R');
  /** [cut, restored] instants, to tell which requests were in flight when the database went away. */
  const outages: Array<{ cutAt: number; restoredAt: number }> = [];
  /** Captures sent outside the load, with their outcome, for the final accounting. */
  const probes: Array<LoadSample<{ name: string }>> = [];

  const capture = async (name: string): Promise<HttpResult> => {
    const startedAt = Date.now();
    const res = await httpCall(api.url(''), {
      method: 'POST',
      path: '/v1/leads',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(validLead({ name })),
      timeoutMs: 20000,
    });
    probes.push({ worker: -1, meta: { name }, startedAt, endedAt: Date.now(), status: res.status, body: res.body });
    return res;
  };
  const readyz = () => httpCall(api.url(''), { method: 'GET', path: '/readyz', timeoutMs: 20000 });

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    api = await startApiProcess(
      {
        DATABASE_URL: viaPort(db.url, proxy.port),
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${tenant}`]: key,
        RATE_LIMIT_ENABLED: 'false',
      },
      60000,
    );
  }, 90000);

  afterAll(async () => {
    await load?.stop();
    api?.child.kill('SIGKILL');
    await api?.exited;
    await proxy?.cut();
    await db?.drop();
  });

  it('serves captures under load while the database is up', async () => {
    load = startLoad({
      baseUrl: api.url(''),
      concurrency: 4,
      maxDurationMs: 60000,
      next: (worker, seq) => {
        const name = `Chaos ${run} w${worker} n${seq}`;
        return {
          meta: { name },
          call: {
            method: 'POST',
            path: '/v1/leads',
            headers: {
              'content-type': 'application/json',
              'x-api-key': key,
              // Half of the captures carry an Idempotency-Key (one per request).
              ...(seq % 2 === 0 ? { 'idempotency-key': `idem-${run}-${worker}-${seq}` } : {}),
            },
            body: JSON.stringify(validLead({ name })),
          },
        };
      },
      // While the database is away, answers come fast: do not hammer the log with them.
      pauseAfter: (sample) => (sample.status === 201 ? 0 : 25),
    });
    await eventually(async () => load.samples.filter((s) => s.status === 201).length >= 20, 15000, 50);
    expect((await readyz()).status).toBe(200);
  });

  it('database cut: /readyz answers 503 not_ready and captures answer 503 in the envelope', async () => {
    const cutAt = Date.now();
    await proxy.cut();
    outages.push({ cutAt, restoredAt: Number.POSITIVE_INFINITY });

    await eventually(async () => (await readyz()).status === 503, 10000, 100);
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', checks: { database: 'down' } });

    const res = await capture(`Chaos ${run} probe during outage`);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'DATABASE_UNAVAILABLE',
      message: 'Service temporarily unavailable',
      requestId: res.headers['x-request-id'],
    });
    expect(res.headers['retry-after']).toBeDefined();
    // The body is generic; the log line carries the driver's error, under the same request id.
    const requestId = res.headers['x-request-id'];
    await eventually(
      async () => api.logLines().some((l) => l.requestId === requestId && l.msg === 'unhandled error'),
      5000,
    );
    const logged = api.logLines().find((l) => l.requestId === requestId && l.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', err: expect.any(Object) });

    // The load keeps running against the outage, and keeps getting 503s (bounded wait, not a sleep).
    await eventually(
      async () => load.samples.filter((s) => s.startedAt > cutAt + 500 && s.status === 503).length >= 10,
      15000,
    );
  }, 30000);

  it('database back: /readyz returns to 200 by itself and captures succeed again', async () => {
    await proxy.restore();
    outages[outages.length - 1].restoredAt = Date.now();
    // A hang guard, not a target: the pool reconnects on the next query.
    await eventually(async () => (await readyz()).status === 200, 15000, 100);
    expect((await readyz()).body).toMatchObject({ status: 'ready', checks: { database: 'up' } });
    expect((await capture(`Chaos ${run} probe after outage`)).status).toBe(201);
    const restoredAt = outages[outages.length - 1].restoredAt;
    await eventually(
      async () => load.samples.filter((s) => s.startedAt > restoredAt && s.status === 201).length >= 20,
      15000,
      50,
    );
  }, 45000);

  it('over the whole run: every request answered 201 or 503, none hung, none failed otherwise', async () => {
    const samples = await load.stop();
    const counts = tally(samples);
    expect(Object.keys(counts).sort()).toEqual(['201', '503']);
    for (const sample of samples.filter((s) => s.status === 503)) {
      expect(sample.body).toMatchObject({ statusCode: 503, message: 'Service temporarily unavailable' });
    }
    // Every 503 belongs to the outage (give or take the time the pool takes to notice).
    const { cutAt, restoredAt } = outages[0];
    for (const sample of samples.filter((s) => s.status === 503)) {
      expect(sample.endedAt).toBeGreaterThanOrEqual(cutAt);
      expect(sample.startedAt).toBeLessThanOrEqual(restoredAt + 5000);
    }
  });

  it('nothing half-written: every 201 is in the database, and nothing else but lost responses', async () => {
    const all = [...load.samples, ...probes];
    const created = new Map(
      all.filter((s) => s.status === 201).map((s) => [s.meta.name, (s.body as { id: string }).id]),
    );
    const rows = await queryDatabase<{ id: string; name: string }>(
      db.url,
      'SELECT id, name FROM leads WHERE tenant = $1',
      [tenant],
    );
    const stored = new Map(rows.map((r) => [r.name, r.id]));
    expect(stored.size).toBe(rows.length); // no lead stored twice

    const missing = [...created].filter(([name, id]) => stored.get(name) !== id);
    expect(missing).toEqual([]);

    // A lead stored without a 201 is only possible when the insert committed and the
    // connection died before the acknowledgement reached the API: the client then got a 503
    // for a request that was in flight at the moment of a cut.
    const byName = new Map(all.map((s) => [s.meta.name, s]));
    const unexpected = rows
      .filter((r) => !created.has(r.name))
      .map((r) => byName.get(r.name))
      .filter((s) => !s || s.status !== 503 || !outages.some((o) => s.startedAt <= o.cutAt && s.endedAt >= o.cutAt));
    expect(unexpected).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(created.size);
    // A completed Idempotency-Key points at a stored lead: claim, lead and response commit together.
    const keys = await queryDatabase<{ state: string; response_body: string | null }>(
      db.url,
      "SELECT state, response_body FROM idempotency_keys WHERE tenant = $1 AND state = 'done'",
      [tenant],
    );
    const ids = new Set(rows.map((r) => r.id));
    expect(keys.filter((k) => !ids.has((JSON.parse(k.response_body ?? '{}') as { id?: string }).id ?? ''))).toEqual([]);
  });

  it('a capture cut off mid-transaction leaves its Idempotency-Key usable once the database is back', async () => {
    const body = JSON.stringify(validLead({ name: `Chaos ${run} cut mid-transaction` }));
    const post = () =>
      httpCall(api.url(''), {
        method: 'POST',
        path: '/v1/leads',
        headers: { 'content-type': 'application/json', 'x-api-key': key, 'idempotency-key': `cut-${run}` },
        body,
        timeoutMs: 20000,
      });
    // The connection dies as the capture's statement (claim, lead and response together) is sent.
    const cut = proxy.cutWhenClientSends('INSERT INTO "idempotency_keys"');
    const first = await post();
    await cut;
    expect(first.status).toBe(503);
    await proxy.restore();
    await eventually(async () => (await readyz()).status === 200, 15000, 100);
    // Nothing was stored, so retrying with the same key and body must store it, soon (not 409
    // "still in progress" until the key expires a day later).
    let retry = first;
    const settled = async () => (retry = await post()).status !== 409;
    await eventually(settled, 10000, 500).catch(() => undefined);
    expect({ status: retry.status, body: retry.body }).toMatchObject({ status: 201 });
    const stored = await queryDatabase(db.url, 'SELECT id FROM leads WHERE tenant = $1 AND name = $2', [
      tenant,
      `Chaos ${run} cut mid-transaction`,
    ]);
    expect(stored).toHaveLength(1);
  }, 30000);

  it('database stalled (traffic dropped, no reset): requests still end, with 503, instead of hanging', async () => {
    // A capture first, so the pool holds an idle connection that the stall then swallows.
    expect((await capture(`Chaos ${run} before stall`)).status).toBe(201);
    proxy.stall();
    try {
      // Each call has a 20 s hang guard; the pool gives up connecting after 3 s.
      const outcomes = await Promise.allSettled([
        capture(`Chaos ${run} stalled 1`),
        capture(`Chaos ${run} stalled 2`),
        readyz(),
      ]);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : String(o.reason)))).toEqual([
        503, 503, 503,
      ]);
    } finally {
      await proxy.restore();
    }
    await eventually(async () => (await readyz()).status === 200, 15000, 100);
  }, 60000);
});
