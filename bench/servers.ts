import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinProcess } from './system';

/*
 * The processes under test, each started on the servers' CPU: the API (compiled, as in
 * production), the bare NestJS baseline and the usual assembly. Every one prints a JSON line
 * with its port once it listens; its later output (access logs) is drained, as production
 * writes it.
 */

export type Platform = 'express' | 'fastify';
export type BenchPlan = 'two-windows' | 'one-window';

const ROOT = join(__dirname, '..');
const API_MAIN = join(ROOT, 'dist/apps/customer-ops/apps/customer-ops/src/main.js');
const USUAL_ROOT = join(__dirname, 'usual-assembly');
const TS_NODE = require.resolve('ts-node/register/transpile-only');
const workDir = mkdtempSync(join(tmpdir(), 'co-bench-'));

export interface Server {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
}

/**
 * Starts a process and resolves once it prints the JSON line `predicate` accepts (within 60 s).
 * It starts on every CPU (start-ups side by side are quicker) and is then moved, all its
 * threads, to `cpu`; threads it creates later inherit that.
 */
function startProcess(
  name: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  predicate: (line: Record<string, unknown>) => boolean,
  cpu: number | null,
): Promise<Server> {
  // This process runs on the load generators' CPU, which children would inherit.
  const command = cpu === null ? argv : ['taskset', '-c', `0-${cpus().length - 1}`, ...argv];
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keepTail = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stderr?.on('data', keepTail);
  return new Promise<Server>((resolve, reject) => {
    let buffer = '';
    const fail = (reason: string) => {
      child.kill('SIGKILL');
      reject(new Error(`${name} ${reason}; its last output:\n${tail}`));
    };
    const timer = setTimeout(() => fail('did not start in 60 s'), 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(`exited with ${code} while starting`);
    };
    child.once('exit', onExit);
    const onData = (chunk: Buffer) => {
      keepTail(chunk);
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (!predicate(line)) continue;
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        child.stdout?.removeListener('data', onData);
        // From here on the output is only drained (the access log, as production writes it).
        child.stdout?.on('data', () => undefined);
        child.stderr?.removeListener('data', keepTail);
        child.stderr?.on('data', (c: Buffer) => process.stderr.write(c));
        pinProcess(child.pid as number, cpu);
        resolve({ name, child, pid: child.pid as number, url: `http://127.0.0.1:${line.port as number}` });
        return;
      }
    };
    child.stdout?.on('data', onData);
  });
}

export function stopServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  const { child } = server;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A plans file that redefines the default plan: two windows and the quotas of each family. */
function writeTwoWindowPlans(): string {
  const family = {
    windows: [
      { limit: 1_000_000_000, window: '1s' },
      { limit: 1_000_000_000, window: '1h' },
    ],
    quotas: { requestsPerMonth: 1_000_000_000, leadsPerMonth: 1_000_000_000 },
  };
  const path = join(workDir, `plans-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(path, JSON.stringify({ plans: { default: { default: family, ops: family } } }));
  return path;
}

export interface ApiSettings {
  platform: Platform;
  databaseUrl: string;
  /** Shared Redis for the limiter; without it, the in-memory limiter. */
  redisUrl?: string;
  /** Tenant name → API key. */
  tenants: Record<string, string>;
  /** Windows of the benchmarked tenant's plan: two windows + quotas, or the built-in one window. */
  plan: BenchPlan;
  /** RATE_LIMIT_OPS and RATE_LIMIT_DEFAULT (the built-in plan's windows). */
  rateLimit: string;
  cpu: number | null;
  /** Extra node options (--cpu-prof …). */
  nodeOptions?: string[];
  name?: string;
}

/**
 * The API as production starts it (`node dist/…/main.js`, NODE_ENV=production), plus
 * --expose-gc and the bench's gc probe (inert until the memory rounds signal it).
 */
export function startApi(settings: ApiSettings): Promise<Server> {
  const keys = Object.fromEntries(Object.entries(settings.tenants).map(([tenant, key]) => [`API_KEY_${tenant}`, key]));
  const argv = [
    process.execPath,
    '--expose-gc',
    '-r',
    join(__dirname, 'gc-probe.js'),
    ...(settings.nodeOptions ?? []),
    API_MAIN,
  ];
  return startProcess(
    settings.name ?? `the API (${settings.platform})`,
    argv,
    {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      HTTP_ADAPTER: settings.platform,
      DATABASE_URL: settings.databaseUrl,
      MIGRATIONS_RUN: 'false',
      ...(settings.redisUrl
        ? { REDIS_URL: settings.redisUrl, REDIS_KEY_PREFIX: `co-bench-${randomBytes(4).toString('hex')}` }
        : {}),
      // Limiting stays on (every request is counted) with budgets too high to reject.
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_OPS: settings.rateLimit,
      RATE_LIMIT_DEFAULT: settings.rateLimit,
      REQUIRE_API_KEY: 'true',
      ...keys,
      API_KEYS_FILE: join(workDir, 'no-keys-file.env'),
      PLANS_FILE: settings.plan === 'two-windows' ? writeTwoWindowPlans() : join(workDir, 'no-plans-file.json'),
      SWAGGER_ENABLED: 'false',
      LOG_LEVEL: 'info',
    },
    (line) => line.msg === 'customer-ops started',
    settings.cpu,
  );
}

/** The bare baseline: a NestJS app with one JSON route (bench/baseline.ts). */
export function startBaseline(platform: Platform, cpu: number | null): Promise<Server> {
  return startProcess(
    `the bare baseline (${platform})`,
    [process.execPath, '-r', TS_NODE, join(__dirname, 'baseline.ts'), platform, '0'],
    { PATH: process.env.PATH },
    (line) => line.msg === 'baseline started',
    cpu,
  );
}

/** The usual assembly (bench/usual-assembly), its limiter on the shared Redis. */
export function startUsualAssembly(platform: Platform, cpu: number | null, redisUrl: string, apiKey: string) {
  return startProcess(
    `the usual assembly (${platform})`,
    [process.execPath, '-r', TS_NODE, join(USUAL_ROOT, 'src/main.cts'), platform, '0'],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      TS_NODE_PROJECT: join(USUAL_ROOT, 'tsconfig.json'),
      USUAL_REDIS_URL: redisUrl,
      USUAL_REDIS_KEY_PREFIX: `co-bench-usual-${randomBytes(4).toString('hex')}`,
      USUAL_API_KEY: apiKey,
    },
    (line) => line.msg === 'usual assembly started',
    cpu,
  );
}

export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
}

/** A full GC in the API, then its RSS and heap used (bench/gc-probe.js answers SIGUSR2). */
export async function sampleMemory(server: Server): Promise<MemorySample> {
  const file = join(tmpdir(), `co-bench-gc-${server.pid}.json`);
  rmSync(file, { force: true });
  server.child.kill('SIGUSR2');
  const deadline = Date.now() + 30_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${server.name} did not answer the memory probe in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { rss: number; heapUsed: number };
  rmSync(file, { force: true });
  return { rssMiB: usage.rss / 2 ** 20, heapUsedMiB: usage.heapUsed / 2 ** 20 };
}
