import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { AppConfig, RedisNode } from '@app/config';

/** A single Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES): the same commands either way. */
export type RedisClient = Redis | Cluster;

/** Connection timeout: a Redis that does not accept the TCP connection is retried after this long. */
export const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** How long start-up waits on Redis (the first connection, the first subscription) before going on without it. */
export const REDIS_STARTUP_WAIT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 1000;
/**
 * In a cluster: a command retried after a lost node connection, a CLUSTERDOWN or a TRYAGAIN
 * waits this long, at most CLUSTER_MAX_REDIRECTIONS times, so even a command that never reaches
 * a node (and so never starts its command timeout) fails within a few hundred ms.
 */
const CLUSTER_RETRY_DELAY_MS = 50;
const CLUSTER_MAX_REDIRECTIONS = 6;

const reconnectDelay = (attempt: number) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS);

/**
 * A client that fails fast instead of queueing: no offline queue, no per-request retries,
 * every command bounded by `commandTimeoutMs` (REDIS_COMMAND_TIMEOUT_MS, also the bound on
 * the connection handshake, so a Redis that accepts connections but never answers is
 * reconnected to), and reconnection forever with a short back-off so service resumes by itself.
 */
export function createRedisClient(
  url: string,
  name: string,
  commandTimeoutMs: number,
  overrides: RedisOptions = {},
): Redis {
  return new Redis(url, {
    connectionName: `customer-ops:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: commandTimeoutMs,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
    ...overrides,
  });
}

/**
 * The same fail-fast client on a Redis Cluster: it learns the slots from any of `nodes`,
 * sends every command to the master of its key's slot (`scaleReads: 'master'`: counters are
 * read where they are written), bounds each command by `commandTimeoutMs`, gives up a
 * redirection or retry chain quickly, and reconnects to the cluster forever with a short
 * back-off. A master that is down costs only the commands for its slots: they time out, the
 * others are served.
 */
export function createRedisCluster(
  nodes: RedisNode[],
  name: string,
  commandTimeoutMs: number,
  overrides: ClusterOptions = {},
): Cluster {
  return new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    {
      enableOfflineQueue: false,
      enableReadyCheck: true,
      scaleReads: 'master',
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: Math.max(commandTimeoutMs, REDIS_CONNECT_TIMEOUT_MS),
      maxRedirections: CLUSTER_MAX_REDIRECTIONS,
      retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
      retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
      retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
      lazyConnect: false,
      redisOptions: {
        connectionName: `customer-ops:${name}`,
        maxRetriesPerRequest: 0,
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
        commandTimeout: commandTimeoutMs,
      },
      ...overrides,
    },
  );
}

/**
 * A cluster client connects to each master lazily, on its first command, whose timeout then
 * covers the connection and its handshake too. Connecting to every master it knows up front
 * (waiting at most `waitMs`) makes the first commands on each as fast as the next ones.
 */
export async function connectClusterMasters(cluster: Cluster, waitMs: number): Promise<void> {
  const connecting = cluster
    .nodes('master')
    .filter((node) => node.status === 'wait')
    .map((node) => node.connect().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(connecting), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}

/** The connection the configuration names (REDIS_URL or REDIS_CLUSTER_NODES), or null when it names none. */
export function createRedisConnection(config: AppConfig, name: string, commandTimeoutMs: number): RedisClient | null {
  if (config.redisClusterNodes) return createRedisCluster(config.redisClusterNodes, name, commandTimeoutMs);
  if (config.redisUrl) return createRedisClient(config.redisUrl, name, commandTimeoutMs);
  return null;
}
