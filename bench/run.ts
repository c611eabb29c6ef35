import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Case, caseById, CASES, FIXED_RATE_CASES, MEMORY_CASES } from './cases';
import { analyzeLeads, createDatabase, migrate, seedLeads, withClient } from './database';
import { PGBENCH_SCRIPTS, runPgbench, statementCount } from './pgbench';
import { renderMarkdown } from './report';
import {
  BenchPlan,
  Platform,
  sampleMemory,
  Server,
  startApi,
  startBaseline,
  startUsualAssembly,
  stopServer,
} from './servers';
import {
  detectPinning,
  ensureDebianCommand,
  hasCommand,
  machineDescription,
  Pinning,
  pinSelf,
  processCpuSeconds,
} from './system';
import { runWrk, WrkResult } from './wrk';

/*
 * npm run bench -- [--adapter express|fastify|both] [--rounds 5] [--duration 10] [--smoke] …
 * (--help lists every option; docs/BENCHMARKS.md explains the method and the tables).
 *
 * Measures the API (compiled, NODE_ENV=production, Postgres + Redis) against a bare NestJS app
 * and the usual NestJS assembly, on each HTTP platform: wrk (one core) against the server
 * (the other core), server CPU per request from /proc, A/B interleaved rounds with medians and
 * spread, pgbench running the lead routes' statements, fixed-rate p99 (autocannon), memory
 * after a forced GC over three rounds, and the in-memory limiter over three consecutive runs.
 * Writes bench/results/<date>-<label>/results.{json,md}.
 */

const ROOT = join(__dirname, '..');
const USUAL_ROOT = join(__dirname, 'usual-assembly');
const PHASES = ['pgbench', 'throughput', 'fixed-rate', 'memory', 'limiter'] as const;
type Phase = (typeof PHASES)[number];

const USUAL_PACKAGES = [
  '@nestjs/core',
  '@nestjs/throttler',
  '@nest-lab/throttler-storage-redis',
  '@willsoto/nestjs-prometheus',
  'nestjs-pino',
];
const TENANT = 'BENCH';
const SEARCH_TENANT = 'BENCHSEARCH';
const TENANT_KEY = `bench-${randomBytes(12).toString('hex')}`;
const SEARCH_KEY = `bench-search-${randomBytes(12).toString('hex')}`;
/** Rate-limit budgets too high to reject: every request is still checked and counted. */
const NEVER_REACHED = '100000000/second';
const LIMITER_BUDGET = '100000000/minute';

export interface Settings {
  platforms: Platform[];
  rounds: number;
  durationSeconds: number;
  /** Seconds of each fixed-rate (autocannon) run. */
  fixedRateSeconds: number;
  warmupSeconds: number;
  connections: number;
  rate: number;
  searchRate: number;
  searchLeads: number;
  searchQuery: string;
  listLeads: number;
  memoryRequests: number;
  limiterSeconds: number;
  pgbenchClients: number;
  plan: BenchPlan;
  cpuProf: string | null;
  label: string;
  smoke: boolean;
  build: boolean;
  phases: Phase[];
}

export interface Errors {
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

export interface RoundRecord {
  phase: 'throughput' | 'limiter' | 'memory' | 'cpu-profile';
  platform: Platform;
  caseId: string;
  round: number;
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  cpuMicrosPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  errors: Errors;
}

export interface FixedRateRecord {
  platform: Platform;
  caseId: string;
  offered: number;
  achieved: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface PgbenchRecord {
  scriptId: string;
  caseId: string;
  description: string;
  statements: number;
  round: number;
  tps: number;
  latencyMs: number;
  failed: number;
}

export interface MemoryRecord {
  platform: Platform;
  caseId: string;
  round: number;
  requests: number;
  rssMiB: number;
  heapUsedMiB: number;
}

export interface Results {
  date: string;
  label: string;
  smoke: boolean;
  machine: ReturnType<typeof machineDescription>;
  settings: Settings;
  rounds: RoundRecord[];
  fixedRate: FixedRateRecord[];
  pgbench: PgbenchRecord[];
  memory: MemoryRecord[];
  cpuProfiles: string[];
  notes: string[];
}

const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      adapter: { type: 'string', default: 'both' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '1000' },
      'search-rate': { type: 'string', default: '100' },
      'search-leads': { type: 'string', default: '100000' },
      'search-query': { type: 'string', default: 'roof leak estimate' },
      'memory-requests': { type: 'string', default: '100000' },
      'limiter-duration': { type: 'string', default: '10' },
      'pgbench-clients': { type: 'string', default: '50' },
      plan: { type: 'string', default: 'two-windows' },
      'cpu-prof': { type: 'string' },
      label: { type: 'string', default: 'run' },
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  if (values.report !== undefined) {
    // Re-renders results.md of an earlier run from its results.json (after a change of the tables).
    const results = JSON.parse(readFileSync(join(values.report, 'results.json'), 'utf8')) as Results;
    writeFileSync(join(values.report, 'results.md'), renderMarkdown(results));
    process.stdout.write(`written: ${join(values.report, 'results.md')}\n`);
    process.exit(0);
  }
  if (values.help) {
    process.stdout.write(
      `npm run bench -- [options]
  --adapter express|fastify|both   HTTP platforms (both)
  --rounds N                       A/B interleaved throughput rounds (5)
  --duration S                     seconds per case per round, pgbench run and fixed-rate run (10)
  --warmup S                       seconds of load on each case before the first round (3)
  --connections N                  wrk connections (50)
  --rate N                         offered req/s for the fixed-rate p99 of the API's routes (1000)
  --search-rate N                  offered req/s for the search p99 (100)
  --search-leads N                 leads of the search tenant, inserted in SQL (100000)
  --search-query Q                 the q of GET /v1/leads/search (roof leak estimate)
  --memory-requests N              requests per memory round, three rounds per route (100000)
  --limiter-duration S             seconds of each of the three in-memory limiter runs (10)
  --pgbench-clients N              pgbench clients (50)
  --plan two-windows|one-window    the benchmarked tenant's plan (two-windows)
  --cpu-prof CASE                  also profile the API under CASE (${CASES.filter((c) => c.server === 'api')
    .map((c) => c.id)
    .join(', ')}): .cpuprofile in the results folder
  --only PHASES                    comma-separated subset of ${PHASES.join(',')}
  --label NAME                     results folder bench/results/<date>-NAME (run)
  --no-build                       use dist/ as it is
  --smoke                          a short run proving the tool works end to end (CI)
  --report DIR                     only re-render DIR/results.md from DIR/results.json
`,
    );
    process.exit(0);
  }
  const platforms =
    values.adapter === 'both' ? (['express', 'fastify'] as Platform[]) : ([values.adapter] as Platform[]);
  if (!platforms.every((p) => p === 'express' || p === 'fastify'))
    throw new Error('--adapter must be express, fastify or both');
  if (values.plan !== 'two-windows' && values.plan !== 'one-window')
    throw new Error('--plan must be two-windows or one-window');
  const phases = values.only ? (values.only.split(',').map((p) => p.trim()) as Phase[]) : [...PHASES];
  const unknown = phases.filter((p) => !PHASES.includes(p));
  if (unknown.length) throw new Error(`--only: unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
  if (values['cpu-prof'] !== undefined && caseById(values['cpu-prof']).server !== 'api')
    throw new Error('--cpu-prof takes a case of the API');
  const positive = (name: string, value: string, integer = true) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
    return n;
  };
  const settings: Settings = {
    platforms,
    rounds: positive('rounds', values.rounds),
    durationSeconds: positive('duration', values.duration),
    fixedRateSeconds: positive('duration', values.duration),
    warmupSeconds: values.warmup === '0' ? 0 : positive('warmup', values.warmup),
    connections: positive('connections', values.connections),
    rate: positive('rate', values.rate),
    searchRate: positive('search-rate', values['search-rate']),
    searchLeads: positive('search-leads', values['search-leads']),
    searchQuery: values['search-query'],
    listLeads: 1000,
    memoryRequests: positive('memory-requests', values['memory-requests']),
    limiterSeconds: positive('limiter-duration', values['limiter-duration']),
    pgbenchClients: positive('pgbench-clients', values['pgbench-clients']),
    plan: values.plan,
    cpuProf: values['cpu-prof'] ?? null,
    label: values.smoke ? 'smoke' : values.label,
    smoke: values.smoke,
    build: !values['no-build'],
    phases,
  };
  if (settings.smoke) {
    // Every phase, each for the shortest time that still exercises it.
    Object.assign(settings, {
      rounds: 1,
      durationSeconds: 1,
      fixedRateSeconds: 0.5,
      warmupSeconds: 0,
      connections: 10,
      rate: 100,
      searchRate: 20,
      searchLeads: 500,
      listLeads: 100,
      memoryRequests: 100,
      limiterSeconds: 1,
      pgbenchClients: 5,
    });
  }
  return settings;
}

// --- Preparation -------------------------------------------------------------------------------

function exec(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** `nest build customer-ops`, unless dist/ is newer than every source file. */
async function buildApi(settings: Settings): Promise<void> {
  const main = join(ROOT, 'dist/apps/customer-ops/apps/customer-ops/src/main.js');
  if (!settings.build) {
    if (!existsSync(main)) throw new Error('--no-build, but dist/ has no build: run npm run build');
    return;
  }
  const sources = Math.max(newestMtime(join(ROOT, 'apps/customer-ops/src')), newestMtime(join(ROOT, 'libs')));
  if (existsSync(main) && statSync(main).mtimeMs > sources) {
    log('the API build in dist/ is up to date');
    return;
  }
  log('building the API (nest build customer-ops)…');
  await exec('npx', ['nest', 'build', 'customer-ops'], ROOT);
  log('API built');
}

/** npm ci of bench/usual-assembly, once per version of its package-lock.json. */
async function installUsualAssembly(): Promise<void> {
  const lock = createHash('sha256')
    .update(readFileSync(join(USUAL_ROOT, 'package-lock.json')))
    .digest('hex');
  const stamp = join(USUAL_ROOT, 'node_modules/.bench-installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return;
  log('installing the usual assembly (npm ci --prefix bench/usual-assembly)…');
  await exec('npm', ['ci', '--prefix', USUAL_ROOT, '--no-audit', '--no-fund'], ROOT);
  writeFileSync(stamp, lock);
  log('usual assembly installed');
}

// --- Measuring ---------------------------------------------------------------------------------

interface Servers {
  bare: Server;
  api: Server;
  usual: Server;
}

function headersFor(c: Case, key: string): Record<string, string> {
  return {
    ...(c.auth ? { 'x-api-key': key } : {}),
    ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
}

let keySequence = 0;
const runId = randomBytes(4).toString('hex');
const nextKeyPrefix = () => `bench-${runId}-${++keySequence}-`;

/** One wrk run of a case with the server's CPU time read before and after. */
async function measure(
  server: Server,
  c: Case,
  pinning: Pinning,
  options: { connections: number; seconds: number; stopAfter?: number },
): Promise<{ wrk: WrkResult; cpuMicrosPerRequest: number }> {
  const before = processCpuSeconds(server.pid);
  const wrk = await runWrk(
    {
      url: `${server.url}${c.path}`,
      method: c.method,
      headers: headersFor(c, TENANT_KEY),
      body: c.body,
      idempotencyKeyPrefix: c.idempotent ? nextKeyPrefix() : undefined,
    },
    {
      connections: options.connections,
      durationSeconds: options.seconds,
      stopAfter: options.stopAfter,
      cpu: pinning.loadCpu,
    },
  );
  const cpu = processCpuSeconds(server.pid) - before;
  return { wrk, cpuMicrosPerRequest: wrk.requests > 0 ? (cpu * 1e6) / wrk.requests : NaN };
}

function record(
  phase: RoundRecord['phase'],
  platform: Platform,
  caseId: string,
  round: number,
  m: { wrk: WrkResult; cpuMicrosPerRequest: number },
): RoundRecord {
  return {
    phase,
    platform,
    caseId,
    round,
    requests: m.wrk.requests,
    durationSeconds: m.wrk.durationSeconds,
    requestsPerSecond: m.wrk.requestsPerSecond,
    cpuMicrosPerRequest: m.cpuMicrosPerRequest,
    p50Ms: m.wrk.p50Ms,
    p99Ms: m.wrk.p99Ms,
    errors: m.wrk.errors,
  };
}

async function fixedRate(
  platform: Platform,
  server: Server,
  c: Pick<Case, 'id' | 'path' | 'method' | 'body' | 'auth' | 'idempotent'>,
  key: string,
  rate: number,
  settings: Settings,
): Promise<FixedRateRecord> {
  const prefix = nextKeyPrefix();
  let sent = 0;
  const headers = headersFor(c as Case, key);
  const result = await autocannon({
    url: server.url,
    connections: settings.connections,
    duration: settings.fixedRateSeconds,
    overallRate: rate,
    requests: [
      {
        method: c.method ?? 'GET',
        path: c.path,
        headers,
        body: c.body,
        ...(c.idempotent
          ? { setupRequest: (req) => ({ ...req, headers: { ...headers, 'idempotency-key': `${prefix}${++sent}` } }) }
          : {}),
      },
    ],
  });
  return {
    platform,
    caseId: c.id,
    offered: rate,
    achieved: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function checkCase(server: Server, c: Case): Promise<void> {
  const headers = { ...headersFor(c, TENANT_KEY), ...(c.idempotent ? { 'idempotency-key': nextKeyPrefix() } : {}) };
  const response = await fetch(`${server.url}${c.path}`, { method: c.method ?? 'GET', headers, body: c.body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${c.id}: ${server.name} answered ${response.status}: ${text.slice(0, 300)}`);
}

/** One request per case before measuring: a misconfigured bench fails here, not in a table. */
async function checkCases(servers: Servers, searchPath: string): Promise<void> {
  for (const c of CASES) await checkCase(servers[c.server], c);
  const search = await fetch(`${servers.api.url}${searchPath}`, { headers: { 'x-api-key': SEARCH_KEY } });
  const body = (await search.json()) as { count?: number };
  if (!search.ok || !body.count)
    throw new Error(`search answered ${search.status} with ${JSON.stringify(body).slice(0, 300)}`);
}

/** Every server started, killed if the bench exits without stopping it. */
const startedServers: Server[] = [];
process.on('exit', () => {
  for (const server of startedServers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});
const track = async (server: Promise<Server>): Promise<Server> => {
  const s = await server;
  startedServers.push(s);
  return s;
};

async function benchPlatform(
  platform: Platform,
  settings: Settings,
  pinning: Pinning,
  databaseUrl: string,
  redisUrl: string,
  results: Results,
  resultsDir: string,
): Promise<void> {
  const cpu = pinning.serverCpu;
  const tenants = { [TENANT]: TENANT_KEY, [SEARCH_TENANT]: SEARCH_KEY };
  // A smoke run goes through every phase once: on the second platform, only the throughput rounds.
  const firstPlatform = platform === settings.platforms[0];
  const has = (phase: Phase) =>
    settings.phases.includes(phase) && (!settings.smoke || firstPlatform || phase === 'throughput');
  const needsMain = has('throughput') || has('fixed-rate') || has('memory');
  log(`${platform}: starting the servers`);
  const [bare, usual, api, limiterApi] = await Promise.all([
    has('throughput') ? track(startBaseline(platform, cpu)) : undefined,
    has('throughput') ? track(startUsualAssembly(platform, cpu, redisUrl, TENANT_KEY)) : undefined,
    needsMain
      ? track(
          startApi({ platform, databaseUrl, redisUrl, tenants, plan: settings.plan, rateLimit: NEVER_REACHED, cpu }),
        )
      : undefined,
    // The in-memory limiter (no Redis) with a per-minute budget, for the limiter rounds.
    has('limiter')
      ? track(
          startApi({
            platform,
            databaseUrl,
            tenants,
            plan: 'one-window',
            rateLimit: LIMITER_BUDGET,
            cpu,
            name: `the API with the in-memory limiter (${platform})`,
          }),
        )
      : undefined,
  ]);
  const searchPath = `/v1/leads/search?q=${encodeURIComponent(settings.searchQuery)}`;
  try {
    if (bare && usual && api) {
      const servers: Servers = { bare, usual, api };
      await checkCases(servers, searchPath);
      if (settings.warmupSeconds > 0) {
        log(`${platform}: warming up (${settings.warmupSeconds} s per case)`);
        for (const c of CASES) {
          await measure(servers[c.server], c, pinning, {
            connections: settings.connections,
            seconds: settings.warmupSeconds,
          });
        }
      }
      for (let round = 1; round <= settings.rounds; round++) {
        log(`${platform}: throughput round ${round} of ${settings.rounds}`);
        for (const c of CASES) {
          if (c.analyzeBefore) await analyzeLeads(databaseUrl);
          const m = await measure(servers[c.server], c, pinning, {
            connections: settings.connections,
            seconds: settings.durationSeconds,
          });
          results.rounds.push(record('throughput', platform, c.id, round, m));
        }
      }
    }

    if (api && has('fixed-rate')) {
      log(`${platform}: fixed-rate latency (${settings.rate} req/s; search at ${settings.searchRate} req/s)`);
      await analyzeLeads(databaseUrl);
      for (const id of FIXED_RATE_CASES) {
        results.fixedRate.push(await fixedRate(platform, api, caseById(id), TENANT_KEY, settings.rate, settings));
      }
      const search = { id: 'api:search', path: searchPath, auth: true };
      results.fixedRate.push(await fixedRate(platform, api, search, SEARCH_KEY, settings.searchRate, settings));
    }

    if (settings.cpuProf && (!settings.smoke || firstPlatform)) {
      const c = caseById(settings.cpuProf);
      const name = `${platform}-${c.id.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`;
      log(`${platform}: CPU profile of ${c.id}`);
      const profiled = await track(
        startApi({
          platform,
          databaseUrl,
          redisUrl,
          tenants,
          plan: settings.plan,
          rateLimit: NEVER_REACHED,
          cpu,
          nodeOptions: ['--cpu-prof', '--cpu-prof-dir', resultsDir, '--cpu-prof-name', name],
          name: `the profiled API (${platform})`,
        }),
      );
      try {
        if (settings.warmupSeconds > 0)
          await measure(profiled, c, pinning, { connections: settings.connections, seconds: settings.warmupSeconds });
        const m = await measure(profiled, c, pinning, {
          connections: settings.connections,
          seconds: settings.durationSeconds,
        });
        results.rounds.push(record('cpu-profile', platform, c.id, 1, m));
      } finally {
        await stopServer(profiled);
      }
      if (!existsSync(join(resultsDir, name))) throw new Error(`the profiled API wrote no ${name}`);
      results.cpuProfiles.push(name);
    }

    if (api && has('memory')) {
      const memoryCases = settings.smoke ? ['api:model-status', 'api:capture-idempotent'] : MEMORY_CASES;
      for (const id of memoryCases) {
        const c = caseById(id);
        log(`${platform}: memory rounds of ${id} (3 × ${settings.memoryRequests} requests)`);
        for (let round = 1; round <= 3; round++) {
          if (c.analyzeBefore) await analyzeLeads(databaseUrl);
          const m = await measure(api, c, pinning, {
            connections: settings.connections,
            // Only an upper bound (20 req/s): the round ends after its requests.
            seconds: Math.max(60, settings.memoryRequests / 20),
            stopAfter: settings.memoryRequests,
          });
          results.rounds.push(record('memory', platform, id, round, m));
          const sample = await sampleMemory(api);
          results.memory.push({ platform, caseId: id, round, requests: m.wrk.requests, ...sample });
        }
      }
    }

    if (limiterApi) {
      const c = caseById('api:model-status');
      log(`${platform}: in-memory limiter, ${LIMITER_BUDGET}: three runs of ${settings.limiterSeconds} s`);
      await checkCase(limiterApi, c);
      if (settings.warmupSeconds > 0)
        await measure(limiterApi, c, pinning, { connections: settings.connections, seconds: settings.warmupSeconds });
      for (let round = 1; round <= 3; round++) {
        const m = await measure(limiterApi, c, pinning, {
          connections: settings.connections,
          seconds: settings.limiterSeconds,
        });
        results.rounds.push(record('limiter', platform, c.id, round, m));
      }
    }
  } finally {
    await Promise.all([bare, usual, api, limiterApi].map((s) => stopServer(s)));
  }
}

async function benchPgbench(settings: Settings, pinning: Pinning, databaseUrl: string, results: Results) {
  for (let round = 1; round <= settings.rounds; round++) {
    log(`pgbench round ${round} of ${settings.rounds} (${settings.pgbenchClients} clients)`);
    for (const script of PGBENCH_SCRIPTS) {
      if (script.caseId === 'api:list') await analyzeLeads(databaseUrl);
      const r = await runPgbench(script, {
        databaseUrl,
        clients: settings.pgbenchClients,
        durationSeconds: settings.durationSeconds,
        cpu: pinning.loadCpu,
        readTenant: TENANT,
      });
      results.pgbench.push({
        scriptId: script.id,
        caseId: script.caseId,
        description: script.description,
        statements: statementCount(script),
        round,
        tps: r.tps,
        latencyMs: r.latencyMs,
        failed: r.failed,
      });
    }
  }
}

function resultsDirectory(settings: Settings): string {
  if (settings.smoke) return join(tmpdir(), `co-bench-smoke-${runId}`);
  const base = join(ROOT, 'bench/results', `${new Date().toISOString().slice(0, 10)}-${settings.label}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

/** A smoke run proves the tool works: every case answered, and every answer was a success. */
function smokeFailures(results: Results): string[] {
  const failures: string[] = [];
  for (const r of results.rounds) {
    if (r.requests === 0) failures.push(`${r.platform} ${r.caseId} (${r.phase}): no request completed`);
    if (r.errors.status > 0 || r.errors.connect > 0)
      failures.push(
        `${r.platform} ${r.caseId} (${r.phase}): ${r.errors.status} non-2xx/3xx, ${r.errors.connect} connect errors`,
      );
  }
  for (const f of results.fixedRate) {
    if (f.non2xx > 0) failures.push(`${f.platform} ${f.caseId} (fixed rate): ${f.non2xx} non-2xx`);
  }
  for (const p of results.pgbench) if (p.failed > 0) failures.push(`pgbench ${p.scriptId}: ${p.failed} failed`);
  return failures;
}

async function main(): Promise<void> {
  const settings = parseSettings();
  const adminUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

  // Independent preparations side by side: the API build, the usual assembly's install, wrk.
  await Promise.all([
    buildApi(settings),
    settings.phases.includes('throughput') ? installUsualAssembly() : Promise.resolve(),
    ensureDebianCommand('wrk', 'wrk', log),
  ]);
  if (settings.phases.includes('pgbench') && !hasCommand('pgbench'))
    throw new Error('pgbench is not installed: install the PostgreSQL client (Debian: postgresql-client)');

  const pinning = detectPinning();
  pinSelf(pinning);
  log(pinning.note);
  const resultsDir = resultsDirectory(settings);
  mkdirSync(resultsDir, { recursive: true });
  const results: Results = {
    date: new Date().toISOString(),
    label: settings.label,
    smoke: settings.smoke,
    machine: machineDescription(pinning),
    settings,
    rounds: [],
    fixedRate: [],
    pgbench: [],
    memory: [],
    cpuProfiles: [],
    notes: [],
  };

  const database = await createDatabase(adminUrl);
  let failure: unknown;
  try {
    log('migrating and seeding a fresh database');
    await migrate(database.url);
    await withClient(database.url, async (client) => {
      await seedLeads(client, TENANT, settings.listLeads);
      await seedLeads(client, SEARCH_TENANT, settings.searchLeads);
    });
    await analyzeLeads(database.url);
    const postgres = await withClient(
      database.url,
      async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v,
    );
    results.notes.push(
      `Postgres ${postgres}; tenant ${TENANT} seeded with ${settings.listLeads} leads and the search tenant with ` +
        `${settings.searchLeads}, in SQL.`,
    );
    if (settings.phases.includes('pgbench')) await benchPgbench(settings, pinning, database.url, results);
    for (const platform of settings.platforms) {
      await benchPlatform(platform, settings, pinning, database.url, redisUrl, results, resultsDir);
    }
  } catch (error) {
    // What was measured before the failure is still written, marked incomplete.
    failure = error;
    results.notes.push(`Incomplete run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await database.drop();
  }

  const usualVersions = USUAL_PACKAGES.map((name) => {
    const file = join(USUAL_ROOT, 'node_modules', name, 'package.json');
    return existsSync(file)
      ? `${name} ${(JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version}`
      : null;
  }).filter(Boolean);
  if (usualVersions.length > 0) results.notes.push(`Usual assembly: ${usualVersions.join(', ')}.`);
  writeFileSync(join(resultsDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(join(resultsDir, 'results.md'), markdown);
  process.stdout.write(`\n${markdown}\n`);
  log(`written: ${join(resultsDir, 'results.json')} and results.md`);
  if (failure) throw failure;

  if (settings.smoke) {
    const failures = smokeFailures(results);
    for (const failure of failures) process.stderr.write(`smoke: ${failure}\n`);
    if (failures.length > 0) process.exitCode = 1;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
