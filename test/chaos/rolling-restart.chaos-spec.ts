import { Agent } from 'node:http';
import { ABANDONED_CLAIM_MS } from '../../apps/customer-ops/src/leads/idempotency.repository';
import { ApiProcess, startApiProcess } from '../support/api-process';
import { ChaosServices, describeChaos, Load, LoadSample, queryDatabase, startLoad, tally } from '../support/chaos';
import { httpCall, HttpCall } from '../support/http-client';
import { randomKey, uniqueTenant } from '../support/keys';
import { validLead } from '../support/leads';
import { Nginx, NginxAccess, NginxOptions, requireNginx } from '../support/nginx';
import { eventually } from '../support/redis';
import { freePort } from '../support/redis-server';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/*
 * Three API processes on one Postgres database and one Redis behind a real nginx, as a
 * Kubernetes Service with readiness probes would run them. nginx open source has no active
 * health checks, so an instance is taken out passively: a connection error or a 503 marks it
 * down for a second (max_fails=1 fail_timeout=1s) and the request is retried on the next
 * instance (proxy_next_upstream, at most 3 tries: every instance once).
 *
 * While a steady mix of captures and listings flows through nginx, the instances are restarted
 * one by one (SIGTERM, exit 0, start again on the same port, ready), then one is SIGKILLed.
 */
const CONCURRENCY = 12;
const INSTANCES = 3;
/** The tenant's /ops budget per minute: the fleet-wide counting check. /v1 is not limited in practice. */
const OPS_LIMIT = 30;
/** Each worker's pause between two requests. */
const PACE_MS = 40;

const NGINX_CONFIG = (upstreams: number[]): NginxOptions => ({
  upstreams,
  serverParameters: 'max_fails=1 fail_timeout=1s',
  upstream: [
    // Reused connections to the API. Its KEEP_ALIVE_TIMEOUT_MS (65 s here) is longer than
    // nginx's idle timeout, so the API never closes a connection nginx is about to reuse.
    '    keepalive 16;',
    '    keepalive_timeout 60s;',
  ].join('\n'),
  location: [
    '      proxy_pass http://api;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    // A refused or reset connection (an instance stopped or killed) and a 503 (not ready) are
    // retried on the next instance. POST is retried too (non_idempotent): safe only because
    // every capture carries an Idempotency-Key, so a capture that did reach a dying instance is
    // replayed, never stored twice.
    '      proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
    '      proxy_next_upstream_tries 3;',
    '      proxy_connect_timeout 2s;',
    '      proxy_read_timeout 30s;',
  ].join('\n'),
});

interface Meta {
  requestId: string;
  kind: 'capture' | 'list';
  /** The capture's Idempotency-Key (also written in its details, to count its rows). */
  key?: string;
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const expectedStatus = (sample: LoadSample<Meta>) => (sample.meta.kind === 'capture' ? 201 : 200);
const failed = (sample: LoadSample<Meta>) => sample.error !== undefined || sample.status !== expectedStatus(sample);
const describeSample = (s: LoadSample<Meta>) =>
  `${s.meta.kind} ${s.meta.requestId}: ${s.error ?? s.status} ${s.body ? JSON.stringify(s.body) : ''}`;

const nginxBin = requireNginx();
const describeFleet = nginxBin
  ? describeChaos
  : (name: string, fn: (services: ChaosServices) => void) => {
      process.stderr.write(`chaos suite "${name}" skipped: install nginx to run it\n`);
      describe.skip(`${name} [skipped: install nginx]`, () => fn({ databaseUrl: '', redisUrl: '' }));
    };

describeFleet('rolling restarts behind nginx, three instances under load', ({ redisUrl }) => {
  let db: TestDatabase;
  let nginx: Nginx;
  const ports: number[] = [];
  const apis: ApiProcess[] = [];
  const loads: Array<Load<Meta>> = [];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const tenant = uniqueTenant('ROLL');
  const apiKey = randomKey('roll');
  const run = uniqueTenant('R').toLowerCase();

  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `co-roll-${run}`,
    REQUIRE_API_KEY: 'true',
    [`API_KEY_${tenant}`]: apiKey,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_DEFAULT: '1000000/minute',
    RATE_LIMIT_OPS: `${OPS_LIMIT}/minute`,
    SHUTDOWN_GRACE_MS: '10000',
    KEEP_ALIVE_TIMEOUT_MS: '65000',
    // Several ts-node processes booting on two cores.
    STARTUP_TIMEOUT_MS: '90000',
  });
  /** Every API process started, for their access logs. */
  const processes: ApiProcess[] = [];
  const start = async (i: number) => {
    const api = await startApiProcess(env(ports[i]), 90000);
    processes.push(api);
    return api;
  };

  const capture = (key: string, requestId: string): HttpCall => ({
    method: 'POST',
    path: '/v1/leads',
    headers: {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      'x-request-id': requestId,
      'idempotency-key': key,
    },
    body: JSON.stringify(validLead({ name: `Roll ${key}`, details: `capture ${key}` })),
    agent,
  });

  /**
   * Captures and listings, half and half, through nginx on keep-alive connections, paced a
   * little so that instances can still start on two busy cores. `issued` has every request's
   * start, answered or not.
   */
  const startMix = (phase: string): { load: Load<Meta>; issued: Map<string, number> } => {
    const issued = new Map<string, number>();
    const load = startLoad<Meta>({
      baseUrl: nginx.baseUrl,
      concurrency: CONCURRENCY,
      maxDurationMs: 300000,
      requestTimeoutMs: 30000,
      pauseAfter: () => PACE_MS,
      next: (worker, seq) => {
        const requestId = `${phase}-${run}-${worker}-${seq}`;
        issued.set(requestId, Date.now());
        if (seq % 2 === 0) {
          const key = `key-${requestId}`;
          return { meta: { requestId, kind: 'capture', key }, call: capture(key, requestId) };
        }
        return {
          meta: { requestId, kind: 'list' },
          call: {
            method: 'GET',
            path: '/v1/leads?limit=5',
            headers: { 'x-api-key': apiKey, 'x-request-id': requestId },
            agent,
          },
        };
      },
    });
    loads.push(load);
    return { load, issued };
  };
  const moreSamples = async (load: Load<Meta>, count: number) => {
    const target = load.samples.length + count;
    await eventually(async () => load.samples.length >= target, 20000, 20);
  };

  const readyz = async (api: ApiProcess) => {
    try {
      return (await httpCall(api.url(''), { method: 'GET', path: '/readyz', timeoutMs: 2000 })).status;
    } catch {
      return 0;
    }
  };
  /** Ready, and taken back by nginx: requests sent through nginx reach it again. */
  let probes = 0;
  const untilServing = async (api: ApiProcess) => {
    await eventually(async () => (await readyz(api)) === 200, 30000, 50);
    const prefix = `probe-${run}-${api.child.pid}-`;
    await eventually(
      async () => {
        await httpCall(nginx.baseUrl, {
          method: 'GET',
          path: '/v1/leads?limit=1',
          headers: { 'x-api-key': apiKey, 'x-request-id': `${prefix}${probes++}` },
          agent,
          timeoutMs: 20000,
        }).catch(() => null);
        return api.logLines().some((l) => l.msg === 'request' && String(l.requestId).startsWith(prefix));
      },
      20000,
      20,
    );
  };

  const leadRows = (prefix: string) =>
    queryDatabase<{ id: string; details: string }>(
      db.url,
      'SELECT id, details FROM leads WHERE tenant = $1 AND details LIKE $2',
      [tenant, `capture key-${prefix}-%`],
    );
  const accessById = () => new Map<string, NginxAccess>(nginx.accessLog().map((a) => [a.requestId, a]));

  beforeAll(async () => {
    db = await createTestDatabase();
    while (ports.length < INSTANCES) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    // Together: migrations take an advisory lock, so one migrates and the others wait.
    const started = await Promise.allSettled(ports.map((_, i) => start(i)));
    for (const result of started) if (result.status === 'fulfilled') apis.push(result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    nginx = await Nginx.start(nginxBin ?? '', NGINX_CONFIG(ports));
  }, 150000);

  afterAll(async () => {
    await Promise.all(loads.map((load) => load.stop()));
    agent.destroy();
    for (const api of apis) if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGKILL');
    await Promise.all(apis.map((api) => api.exited));
    await nginx?.stop();
    await db?.drop();
  });

  it('restarts each instance in turn (SIGTERM, exit 0, start, ready) with no failed request', async () => {
    const { load } = startMix('roll');
    const restarts: Array<{ port: number; exitCode: number | null; messages: unknown[] }> = [];
    try {
      await moreSamples(load, 100);
      for (let i = 0; i < INSTANCES; i++) {
        const old = apis[i];
        old.child.kill('SIGTERM');
        const exitCode = await within(old.exited, 30000, `instance ${i} exit after SIGTERM`);
        restarts.push({ port: ports[i], exitCode, messages: old.logLines().map((l) => l.msg) });
        apis[i] = await start(i);
        await untilServing(apis[i]);
      }
      await moreSamples(load, 100);
    } finally {
      await load.stop();
    }
    const samples = load.samples;
    const failures = samples.filter(failed);
    const access = accessById();
    const retried = samples.filter((s) => (access.get(s.meta.requestId)?.upstreams.length ?? 0) > 1);
    process.stdout.write(
      `rolling restart: ${samples.length} requests, ${failures.length} failed (${retried.length} retried by nginx)\n`,
    );

    for (const restart of restarts) {
      expect(restart.exitCode).toBe(0);
      expect(restart.messages).toEqual(
        expect.arrayContaining(['shutdown started: draining in-flight requests', 'shutdown complete']),
      );
    }
    // Zero failed requests: no 5xx, no 502 from nginx, no connection error, nothing refused.
    expect(failures.map(describeSample)).toEqual([]);
    expect(Object.keys(tally(samples)).sort()).toEqual(['200', '201']);

    // The passive checks were exercised: nginx met a stopped instance and retried elsewhere.
    expect(retried.length).toBeGreaterThan(0);
    // Every request reached exactly one API process, which answered it in full: nginx retried
    // only requests no instance had read (refused, or on a connection closed before reading
    // them), never one that a draining instance was working on.
    const handledBy = new Map<string, Array<Record<string, unknown>>>();
    for (const line of processes.flatMap((p) => p.logLines())) {
      if (line.msg !== 'request') continue;
      const id = String(line.requestId);
      handledBy.set(id, [...(handledBy.get(id) ?? []), line]);
    }
    const notOnce = samples.filter((s) => {
      const lines = handledBy.get(s.meta.requestId) ?? [];
      return lines.length !== 1 || lines[0].status !== s.status || lines[0].aborted === true;
    });
    expect(notOnce.map((s) => `${describeSample(s)} ${JSON.stringify(handledBy.get(s.meta.requestId))}`)).toEqual([]);
    // nginx answered every request it logged as the client saw it.
    expect(samples.filter((s) => access.get(s.meta.requestId)?.status !== s.status)).toEqual([]);

    // Every 201 is in the database, exactly once per Idempotency-Key, and nothing else is.
    const captures = samples.filter((s) => s.meta.kind === 'capture');
    const rows = await leadRows('roll');
    expect(rows.map((r) => r.id).sort()).toEqual(captures.map((s) => (s.body as { id: string }).id).sort());
    expect(rows.map((r) => r.details).sort()).toEqual(captures.map((s) => `capture ${s.meta.key}`).sort());
  }, 300000);

  it('SIGKILL of one instance: at most its in-flight requests fail, their retried captures are stored once', async () => {
    const victim = 1;
    const victimAddr = `127.0.0.1:${ports[victim]}`;
    const { load, issued } = startMix('kill');
    let killedAt = 0;
    try {
      await moreSamples(load, 100);
      // Frozen first, so that requests are certainly in flight on it when it dies: it still
      // accepts connections (the kernel does) and answers nothing, as a hung process would.
      apis[victim].child.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await eventually(
        async () => {
          const done = new Set(load.samples.map((s) => s.meta.requestId));
          const waiting = [...issued].filter(([id, at]) => !done.has(id) && at < Date.now() - 200);
          return waiting.length >= 3 || Date.now() - stoppedAt > 3000;
        },
        5000,
        20,
      );
      killedAt = Date.now();
      apis[victim].child.kill('SIGKILL');
      await within(apis[victim].exited, 10000, 'exit after SIGKILL');
      // nginx finds it dead and serves the load on the other two.
      await moreSamples(load, 200);
    } finally {
      await load.stop();
    }
    const samples = load.samples;
    const failures = samples.filter(failed);
    // The kill hit requests in flight: nginx had sent them to the victim, then retried them.
    const access = accessById();
    const inFlight = samples.filter(
      (s) => s.startedAt <= killedAt && access.get(s.meta.requestId)?.upstreams.slice(0, -1).includes(victimAddr),
    );
    process.stdout.write(
      `SIGKILL: ${samples.length} requests, ${inFlight.length} in flight on the killed instance, ` +
        `${failures.length} failed (${JSON.stringify(tally(failures))})\n`,
    );
    expect(inFlight.length).toBeGreaterThan(0);
    // At most those fail: nothing sent after the kill, and never more than were in flight.
    expect(failures.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(failures.filter((s) => !inFlight.includes(s)).map(describeSample)).toEqual([]);
    // What nginx could not hide is a capture the victim had claimed but not finished: still
    // "in flight" (409) until the claim is abandoned.
    expect(failures.map((s) => `${s.meta.kind} ${s.status}`)).toEqual(failures.map(() => 'capture 409'));

    // The client retries each failed capture with its Idempotency-Key until it succeeds (after
    // ABANDONED_CLAIM_MS at most); meanwhile the victim starts again on its port.
    const retry = async (s: LoadSample<Meta>): Promise<{ key: string; status: number; id: string }> => {
      const key = s.meta.key ?? '';
      let last = '';
      const deadline = Date.now() + ABANDONED_CLAIM_MS + 15000;
      while (Date.now() < deadline) {
        const res = await httpCall(nginx.baseUrl, {
          ...capture(key, `${s.meta.requestId}-retry`),
          timeoutMs: 30000,
        }).catch((error: unknown) => {
          last = String(error);
          return null;
        });
        if (res?.status === 201) return { key, status: res.status, id: (res.body as { id: string }).id };
        // Only "still in flight" is worth waiting for.
        if (res && res.status !== 409) {
          const requestId = `${s.meta.requestId}-retry`;
          const logged = processes.flatMap((p) => p.logLines()).filter((l) => l.requestId === requestId);
          const via = accessById().get(requestId)?.upstreams;
          throw new Error(`retry of ${key}: ${res.status} ${res.text} via ${via} ${JSON.stringify(logged)}`);
        }
        if (res) last = `${res.status} ${res.text}`;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`retry of ${key} never succeeded: ${last}`);
    };
    const failedCaptures = failures.filter((s) => s.meta.kind === 'capture');
    const restarted = (async () => {
      apis[victim] = await start(victim);
      await untilServing(apis[victim]);
    })().then(
      () => null,
      (error: unknown) => error,
    );
    const retries = await Promise.allSettled(failedCaptures.map(retry));
    const restartError = await restarted;
    if (restartError) throw restartError;
    expect(retries.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const retried = retries.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

    // Every capture of the phase, whether it succeeded at once, was retried by nginx after the
    // kill or by the client, exists exactly once, with the id its 201 carried.
    const rows = await leadRows('kill');
    const captures = samples.filter((s) => s.meta.kind === 'capture');
    expect(rows.map((r) => r.details).sort()).toEqual(captures.map((s) => `capture ${s.meta.key}`).sort());
    const idOf = new Map(rows.map((r) => [r.details, r.id]));
    const answered = [
      ...captures.filter((s) => !failed(s)).map((s) => ({ key: s.meta.key, id: (s.body as { id: string }).id })),
      ...retried,
    ];
    expect(answered.filter((a) => idOf.get(`capture ${a.key}`) !== a.id)).toEqual([]);
  }, 150000);

  it("counts a tenant's rate-limit budget once across the three instances", async () => {
    const results: Array<{ status: number; requestId: string }> = [];
    for (let i = 0; i < OPS_LIMIT + 5; i++) {
      const requestId = `budget-${run}-${i}`;
      const res = await httpCall(nginx.baseUrl, {
        method: 'GET',
        path: '/ops/model-status',
        headers: { 'x-api-key': apiKey, 'x-request-id': requestId },
        agent,
        timeoutMs: 20000,
      });
      results.push({ status: res.status, requestId });
    }
    // Exactly the limit in total, not once per instance.
    expect(results.map((r) => r.status)).toEqual([
      ...Array.from({ length: OPS_LIMIT }, () => 200),
      ...Array.from({ length: 5 }, () => 429),
    ]);
    // ...while every instance answered some of them.
    const access = accessById();
    const servedBy = new Set(results.slice(0, OPS_LIMIT).flatMap((r) => access.get(r.requestId)?.upstreams ?? []));
    expect([...servedBy].sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
  });
});
