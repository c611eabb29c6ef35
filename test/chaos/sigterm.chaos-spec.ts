import { Agent } from 'node:http';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { describeChaos, queryDatabase, startLoad, tally } from '../support/chaos';
import { randomKey, uniqueTenant } from '../support/keys';
import { validLead } from '../support/leads';
import { eventually } from '../support/redis';
import { createTestDatabase, TestDatabase } from '../support/test-database';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);
}

/*
 * SIGTERM while captures pour in. Half of the workers open a connection per request, half
 * reuse keep-alive connections. The API's access log (one line per request it read, with the
 * request id each request carries) tells which requests it accepted.
 */
describeChaos('SIGTERM under load', () => {
  let db: TestDatabase;
  let api: ApiProcess;
  const tenant = uniqueTenant('CHAOSTERM');
  const key = randomKey('term');
  const run = uniqueTenant('R').toLowerCase();

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startApiProcess(
      {
        DATABASE_URL: db.url,
        REQUIRE_API_KEY: 'true',
        [`API_KEY_${tenant}`]: key,
        RATE_LIMIT_ENABLED: 'false',
        SHUTDOWN_GRACE_MS: '10000',
      },
      60000,
    );
  }, 90000);

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
    await db?.drop();
  });

  it('every accepted request gets its complete response, the rest are refused, exit 0, every 201 stored', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    const load = startLoad<{ requestId: string }>({
      baseUrl: api.url(''),
      concurrency: 8,
      maxDurationMs: 60000,
      next: (worker, seq) => {
        const requestId = `sig-${run}-${worker}-${seq}`;
        return {
          meta: { requestId },
          call: {
            method: 'POST',
            path: '/v1/leads',
            headers: { 'content-type': 'application/json', 'x-api-key': key, 'x-request-id': requestId },
            body: JSON.stringify(validLead({ name: `Term ${requestId}` })),
            agent: worker % 2 === 0 ? false : keepAlive,
          },
        };
      },
      // Once the listener is gone there is nobody to talk to.
      stopWorker: (sample) => sample.error === 'ECONNREFUSED',
    });
    let sigtermAt = 0;
    try {
      await eventually(async () => load.samples.filter((s) => s.status === 201).length >= 40, 20000, 50);
      sigtermAt = Date.now();
      api.child.kill('SIGTERM');
      expect(await within(api.exited, 30000, 'exit after SIGTERM')).toBe(0);
    } finally {
      await load.stop();
      keepAlive.destroy();
    }
    const samples = load.samples;

    const accessLog = new Map(
      api
        .logLines()
        .filter((l) => l.msg === 'request' && String(l.requestId).startsWith(`sig-${run}-`))
        .map((l) => [String(l.requestId), l]),
    );
    const answered = samples.filter((s) => s.status !== undefined);
    const failed = samples.filter((s) => s.error !== undefined);

    // Every answer was a complete 201: nothing was cut short or failed by the shutdown.
    expect(tally(answered)).toEqual({ '201': answered.length });
    // Every request the API read was answered in full, as its access line says, never aborted.
    const byId = new Map(samples.map((s) => [s.meta.requestId, s]));
    const mismatched = [...accessLog.values()].filter(
      (line) => line.aborted || byId.get(String(line.requestId))?.status !== line.status,
    );
    expect(mismatched).toEqual([]);
    expect(answered.filter((s) => !accessLog.has(s.meta.requestId))).toEqual([]);
    // Requests without an answer never reached the API: refused by the closed listener, or reset
    // on a connection the API closed before reading them (never in its access log).
    const lost = failed.filter(
      (s) => accessLog.has(s.meta.requestId) || !['ECONNREFUSED', 'ECONNRESET'].includes(s.error ?? ''),
    );
    expect(lost).toEqual([]);
    // ...and every one of them was sent after the signal: nothing in flight was dropped.
    expect(failed.filter((s) => s.startedAt < sigtermAt)).toEqual([]);
    // The drain was exercised: requests were in flight when the signal came, and completed.
    const inFlight = answered.filter((s) => s.startedAt <= sigtermAt && s.endedAt >= sigtermAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(failed.some((s) => s.error === 'ECONNREFUSED')).toBe(true);

    const messages = api.logLines().map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['shutdown started: draining in-flight requests', 'shutdown complete']),
    );

    // Every 201 is stored, and nothing else is.
    const rows = await queryDatabase<{ id: string }>(db.url, 'SELECT id FROM leads WHERE tenant = $1', [tenant]);
    const created = answered.map((s) => (s.body as { id: string }).id);
    expect(rows.map((r) => r.id).sort()).toEqual(created.sort());
  }, 90000);
});
