import Redis, { RedisOptions } from 'ioredis';

/** Connection timeout: a Redis that does not accept the TCP connection is retried after this long. */
export const REDIS_CONNECT_TIMEOUT_MS = 1000;
/** How long start-up waits on Redis (the first connection, the first subscription) before going on without it. */
export const REDIS_STARTUP_WAIT_MS = 2000;
const MAX_RECONNECT_DELAY_MS = 1000;

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
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    ...overrides,
  });
}
