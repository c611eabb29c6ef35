import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { collect } from './api-process';
import { freePort, hasRedisServer } from './redis-server';

/** How long a node may take to answer on its port, and the cluster to report cluster_state:ok. */
const START_TIMEOUT_MS = 15000;
const POLL_MS = 50;

export function hasRedisClusterTools(): boolean {
  return hasRedisServer() && spawnSync('redis-cli', ['--version']).status === 0;
}

/**
 * Whether the cluster suites can run: redis-server and redis-cli on PATH. Locally a missing
 * binary skips them; with CI=true it fails them.
 */
export function redisClusterAvailable(): boolean {
  if (hasRedisClusterTools()) return true;
  if (process.env.CI === 'true') throw new Error('CI=true: the Redis Cluster suites need redis-server and redis-cli');
  return false;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** One command on a short-lived connection to 127.0.0.1:port; throws when the node does not answer. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(args[0], ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

/** The reply, or null while the node does not answer. */
const answer = (port: number, ...args: string[]) => ask(port, ...args).catch(() => null);

interface Node {
  port: number;
  child: ChildProcess | null;
}

/**
 * A private Redis Cluster of three masters (no replicas) on free loopback ports, each node
 * with its nodes.conf in one temporary directory. A master can be SIGKILLed and restarted on
 * the same port with the same nodes.conf, so it rejoins the cluster owning the same slots
 * (empty: nothing is persisted).
 *
 * `cluster-require-full-coverage no`: while a master is down, only its slots are unavailable
 * and the other masters keep serving theirs, which is what an operator who wants "one master
 * down costs only its tenants" configures. `cluster-node-timeout` is short so a dead master is
 * flagged in about a second.
 */
export class RedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly nodes: Node[],
  ) {}

  /** Starts the three masters and creates the cluster; a start that fails (a port taken meanwhile) is tried again. */
  static async start(): Promise<RedisCluster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await RedisCluster.startOnce();
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  private static async startOnce(): Promise<RedisCluster> {
    const ports: number[] = [];
    while (ports.length < 3) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: both must be free, for every node.
      if (port > 55535 || ports.some((p) => Math.abs(p - port) === 10000 || p === port)) continue;
      if (!(await portIsFree(port + 10000))) continue;
      ports.push(port);
    }
    const cluster = new RedisCluster(
      mkdtempSync(join(tmpdir(), 'co-redis-cluster-')),
      ports.map((port) => ({ port, child: null })),
    );
    try {
      await Promise.all(cluster.nodes.map((node) => cluster.spawn(node)));
      const created = spawn(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const output = collect(created);
      const code = await output.exited;
      if (code !== 0) throw new Error(`redis-cli --cluster create exited ${code}: ${output.out()} ${output.err()}`);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  get ports(): number[] {
    return this.nodes.map((node) => node.port);
  }

  /** REDIS_CLUSTER_NODES for this cluster. */
  get nodesVariable(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The port of the master that serves `key`'s slot. */
  async portOf(key: string): Promise<number> {
    const running = this.nodes.find((node) => node.child)?.port;
    if (!running) throw new Error('no node is running');
    const slot = Number(await ask(running, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await ask(running, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** SIGKILL one master: it vanishes without closing its connections. */
  async kill(port: number): Promise<void> {
    const node = this.node(port);
    const child = node.child;
    node.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts a killed master again on its port with its nodes.conf, and waits until the whole cluster is ok. */
  async restart(port: number): Promise<void> {
    const node = this.node(port);
    if (node.child) throw new Error(`node ${port} is running`);
    await this.spawn(node);
    await this.waitUntilHealthy();
  }

  /** Every node answers and reports cluster_state:ok with all 16384 slots assigned and none failing. */
  async waitUntilHealthy(): Promise<void> {
    await until('the cluster did not report cluster_state:ok on every node', async () => {
      for (const node of this.nodes) {
        const info = String(await answer(node.port, 'CLUSTER', 'INFO'));
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
      }
      return true;
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node.port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private node(port: number): Node {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    return node;
  }

  private async spawn(node: Node): Promise<void> {
    const { port } = node;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '1000',
        '--cluster-require-full-coverage',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    node.child = child;
    let failed: Error | null = null;
    child.once('error', (error) => (failed = error));
    await until(`redis-server did not answer on port ${port}`, async () => {
      if (failed) throw failed;
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited ${child.exitCode}`);
      return (await answer(port, 'PING')) === 'PONG';
    });
  }
}
