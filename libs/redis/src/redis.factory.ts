import Redis, { RedisOptions } from 'ioredis';

/** Connection and command timeouts keep a slow or absent Redis from stalling requests. */
export const REDIS_CONNECT_TIMEOUT_MS = 1000;
export const REDIS_COMMAND_TIMEOUT_MS = 250;
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * A client that fails fast instead of queueing: no offline queue, no per-request retries,
 * and reconnection forever with a short back-off so service resumes by itself.
 */
export function createRedisClient(url: string, name: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: `customer-ops:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    ...overrides,
  });
}
