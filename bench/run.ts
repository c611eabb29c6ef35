import autocannon from 'autocannon';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

/*
 * npm run bench -- [--adapter express|fastify|both] [--duration 10] [--connections 50]
 *                  [--plan two-windows|one-window] [--smoke]
 *
 * Boots the API (compiled, as in production) on Postgres + Redis when TEST_DATABASE_URL /
 * TEST_REDIS_URL (or BENCH_DATABASE_URL / BENCH_REDIS_URL) are set, SQLite + memory
 * otherwise, plus a bare NestJS app on the same adapter, and measures each route with
 * autocannon: maximum throughput, then p99 latency at 1,000 req/s offered load. Prints a
 * table, checks the targets and writes bench/results/<date>-<adapter>.json.
 *
 * The benchmarked tenant is on a plan of two windows (1 s and 1 h) and two quotas per route
 * family (`two-windows`, the default), or on the built-in one-window plan (`one-window`), with
 * budgets too high to reject: every request is checked and counted against all of them.
 */

const ROOT = join(__dirname, '..');
const TENANT = 'BENCH';
const TENANT_KEY = `bench-${randomBytes(12).toString('hex')}`;

interface Measurement {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  ratioToBaseline?: number;
  p99AtFixedRateMs?: number;
  fixedRate?: number;
}

interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

interface Options {
  adapter: 'express' | 'fastify';
  durationSeconds: number;
  connections: number;
  fixedRate: number;
  smoke: boolean;
  plan: BenchPlan;
}

type BenchPlan = 'two-windows' | 'one-window';

/** A plans file that redefines the default plan: two windows and the quotas of each family. */
function writeBenchPlans(): string {
  const family = {
    windows: [
      { limit: 1_000_000_000, window: '1s' },
      { limit: 1_000_000_000, window: '1h' },
    ],
    quotas: { requestsPerMonth: 1_000_000_000, leadsPerMonth: 1_000_000_000 },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'co-bench-plans-')), 'plans.json');
  writeFileSync(path, JSON.stringify({ plans: { default: { default: family, ops: family } } }));
  return path;
}

function waitForLine(child: ChildProcess, predicate: (line: Record<string, unknown>) => boolean, what: string) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 30 s`)), 30000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (predicate(line)) {
            clearTimeout(timer);
            child.stdout?.removeAllListeners('data');
            child.stdout?.resume();
            resolve(line);
            return;
          }
        } catch {
          // not a JSON line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function freshPostgres(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `co_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

async function startApi(
  adapter: string,
  databaseUrl: string,
  redisUrl: string | undefined,
  plan: BenchPlan,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/customer-ops/apps/customer-ops/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      HTTP_ADAPTER: adapter,
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `co-bench-${randomBytes(4).toString('hex')}` } : {}),
      // Limiting stays on (every request is counted) with budgets too high to reject.
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_OPS: '100000000/second',
      RATE_LIMIT_DEFAULT: '100000000/second',
      REQUIRE_API_KEY: 'true',
      [`API_KEY_${TENANT}`]: TENANT_KEY,
      API_KEYS_FILE: join(tmpdir(), 'co-bench-no-keys-file.env'),
      PLANS_FILE: plan === 'two-windows' ? writeBenchPlans() : join(tmpdir(), 'co-bench-no-plans-file.json'),
      SWAGGER_ENABLED: 'false',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await waitForLine(child, (line) => line.msg === 'customer-ops started', 'the API');
  // Access logs keep being written (to a pipe that is drained), as in production.
  child.stdout?.resume();
  return { child, url: `http://127.0.0.1:${started.port as number}` };
}

async function startBaseline(adapter: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'baseline.ts'), adapter, '0'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const started = await waitForLine(child, (line) => line.msg === 'baseline started', 'the baseline app');
  return { child, url: `http://127.0.0.1:${started.port as number}` };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

interface Load {
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

async function measure(load: Load, options: Options, overallRate?: number): Promise<Measurement> {
  const result = await autocannon({
    url: load.url,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: overallRate ? Math.min(options.connections, 20) : options.connections,
    duration: options.durationSeconds,
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    route: load.route,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function analyzeTables(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('ANALYZE leads');
  } finally {
    await client.end();
  }
}

async function benchAdapter(options: Options, databaseUrl: string, redisUrl: string | undefined, databaseKind: string) {
  const analyze = databaseKind === 'postgres' ? () => analyzeTables(databaseUrl) : null;
  const baselineApp = await startBaseline(options.adapter);
  const baseline = await measure({ route: 'baseline GET /ping', url: `${baselineApp.url}/ping` }, options);
  await stop(baselineApp.child);

  const api = await startApi(options.adapter, databaseUrl, redisUrl, options.plan);
  const auth = { 'x-api-key': TENANT_KEY };
  const leadBody = JSON.stringify({
    name: 'Bench Lead',
    phone: '+1 555 010 2030',
    email: 'bench@example.com',
    details: 'URGENT: need an estimate for metal roof today',
    source: 'bench',
  });
  for (let i = 0; i < 50; i++) {
    await fetch(`${api.url}/v1/leads`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: leadBody,
    });
  }
  const loads: Load[] = [
    { route: 'GET /ops/model-status', url: `${api.url}/ops/model-status`, headers: auth },
    {
      route: 'POST /v1/leads',
      url: `${api.url}/v1/leads`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: leadBody,
    },
    { route: 'GET /v1/leads?limit=20', url: `${api.url}/v1/leads?limit=20`, headers: auth },
  ];
  const measurements: Measurement[] = [];
  try {
    for (const load of loads) {
      // The write phase adds thousands of rows to a table created moments ago. A live database
      // has planner statistics (autovacuum keeps them); give this one the same before reading.
      if (load.route.startsWith('GET /v1/leads') && analyze) await analyze();
      const max = await measure(load, options);
      const fixed = await measure(load, options, options.fixedRate);
      measurements.push({
        ...max,
        ratioToBaseline: Math.round((max.requestsPerSecond / baseline.requestsPerSecond) * 1000) / 1000,
        p99AtFixedRateMs: fixed.p99Ms,
        fixedRate: options.fixedRate,
        non2xx: max.non2xx + fixed.non2xx,
        errors: max.errors + fixed.errors,
      });
    }
  } finally {
    await stop(api.child);
  }

  const byRoute = (route: string) => measurements.find((m) => m.route === route) as Measurement;
  const targets: Target[] = [
    {
      name: 'authenticated, rate-limited route >= 85% of the bare baseline',
      pass: (byRoute('GET /ops/model-status').ratioToBaseline ?? 0) >= 0.85,
      detail: `${byRoute('GET /ops/model-status').requestsPerSecond} vs ${baseline.requestsPerSecond} req/s (${Math.round((byRoute('GET /ops/model-status').ratioToBaseline ?? 0) * 100)}%)`,
    },
    {
      name: `POST /v1/leads >= 1,500 req/s${databaseKind === 'postgres' ? '' : ' (target is for Postgres; this run is ' + databaseKind + ')'}`,
      pass: byRoute('POST /v1/leads').requestsPerSecond >= 1500,
      detail: `${byRoute('POST /v1/leads').requestsPerSecond} req/s`,
    },
    ...measurements.map((m) => ({
      name: `${m.route}: p99 < 50 ms at ${options.fixedRate} req/s offered`,
      pass: (m.p99AtFixedRateMs ?? Infinity) < 50,
      detail: `p99 ${m.p99AtFixedRateMs} ms`,
    })),
    {
      name: 'no errors and only 2xx responses',
      pass: [baseline, ...measurements].every((m) => m.non2xx === 0 && m.errors === 0),
      detail: [baseline, ...measurements].map((m) => `${m.route}: ${m.non2xx} non-2xx, ${m.errors} errors`).join('; '),
    },
  ];
  return { baseline, measurements, targets };
}

function printTable(adapter: string, baseline: Measurement, measurements: Measurement[], targets: Target[]): void {
  const rows = [
    ['route', 'req/s', 'p50 ms', 'p99 ms', 'x baseline', `p99 ms @ fixed rate`],
    [baseline.route, String(baseline.requestsPerSecond), String(baseline.p50Ms), String(baseline.p99Ms), '1.000', '-'],
    ...measurements.map((m) => [
      m.route,
      String(m.requestsPerSecond),
      String(m.p50Ms),
      String(m.p99Ms),
      (m.ratioToBaseline ?? 0).toFixed(3),
      `${m.p99AtFixedRateMs} @ ${m.fixedRate}/s`,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(`\n${adapter}\n`);
  for (const row of rows) process.stdout.write(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}\n`);
  for (const target of targets)
    process.stdout.write(`  ${target.pass ? 'PASS' : 'FAIL'}  ${target.name}: ${target.detail}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      adapter: { type: 'string', default: 'both' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '1000' },
      smoke: { type: 'boolean', default: false },
      plan: { type: 'string', default: 'two-windows' },
    },
  });
  if (values.plan !== 'two-windows' && values.plan !== 'one-window')
    throw new Error('--plan must be two-windows or one-window');
  const adapters =
    values.adapter === 'both' ? (['express', 'fastify'] as const) : [values.adapter as 'express' | 'fastify'];
  if (!adapters.every((a) => a === 'express' || a === 'fastify'))
    throw new Error('--adapter must be express, fastify or both');
  const smoke = values.smoke;
  const durationSeconds = smoke ? 0.4 : Number(values.duration);

  process.stdout.write('building the API (nest build)…\n');
  execFileSync('npx', ['nest', 'build', 'customer-ops'], { cwd: ROOT, stdio: 'inherit' });

  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  let failed = false;
  for (const adapter of adapters) {
    const database = adminUrl ? await freshPostgres(adminUrl) : null;
    const sqliteDir = database ? null : mkdtempSync(join(tmpdir(), 'co-bench-'));
    const databaseUrl = database?.url ?? `sqlite:${join(sqliteDir as string, 'bench.sqlite')}`;
    const databaseKind = database ? 'postgres' : 'sqlite';
    try {
      const options: Options = {
        adapter,
        durationSeconds,
        connections: Number(values.connections),
        fixedRate: Number(values.rate),
        smoke,
        plan: values.plan as BenchPlan,
      };
      const { baseline, measurements, targets } = await benchAdapter(options, databaseUrl, redisUrl, databaseKind);
      printTable(
        `${adapter} on ${databaseKind} + ${redisUrl ? 'Redis' : 'memory'} rate limiting${smoke ? ' (smoke run: numbers are not meaningful)' : ''}`,
        baseline,
        measurements,
        targets,
      );
      if (!smoke) {
        mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
        const file = join(
          ROOT,
          'bench/results',
          `${new Date().toISOString().slice(0, 10)}-${adapter}-${options.plan}.json`,
        );
        writeFileSync(
          file,
          `${JSON.stringify({ date: new Date().toISOString(), adapter, database: databaseKind, redis: !!redisUrl, machine, options, baseline, measurements, targets }, null, 2)}\n`,
        );
        process.stdout.write(`  written: ${file}\n`);
      }
      // A smoke run only proves the tool works end to end: every request must succeed.
      const gate = smoke ? targets.filter((t) => t.name.startsWith('no errors')) : [];
      if (gate.some((t) => !t.pass)) failed = true;
    } finally {
      await database?.drop();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
