import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { isCluster } from './key-slot';
import { connectClusterMasters, createRedisConnection, RedisClient, REDIS_STARTUP_WAIT_MS } from './redis.factory';

/** The shared command connection (a Redis or a Redis Cluster), or null when neither REDIS_URL nor REDIS_CLUSTER_NODES is set. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export type RedisState = 'up' | 'down' | 'disabled';

/**
 * Owns the command connection: reports its state and closes it last on shutdown. `up` means
 * connected and past the handshake (for a cluster: the slots are known and a node answered);
 * whether commands answer in time, on every master of a cluster, is for the features that
 * send them to tell.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) readonly client: RedisClient | null) {}

  state(): RedisState {
    if (!this.client) return 'disabled';
    return this.client.status === 'ready' ? 'up' : 'down';
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) this.client.disconnect();
  }
}

/** What rate limiting does while Redis is unavailable, in words for the start-up warning. */
function degradedLimiting(config: AppConfig): string {
  if (!config.rateLimit.enabled) return 'rate limiting is off anyway';
  return config.rateLimit.fallback === 'memory'
    ? 'rate limits are counted in this instance’s memory'
    : 'rate limiting fails open';
}

/** Redis when configured: one command connection (to a Redis or a Redis Cluster) shared by every feature. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig, PINO_LOGGER],
      useFactory: async (config: AppConfig, logger: Logger): Promise<RedisClient | null> => {
        const client = createRedisConnection(config, 'commands', config.redisCommandTimeoutMs);
        if (!client) return null;
        // Connection errors are reported by the features that notice them (one line per
        // outage); without a listener ioredis would print every reconnect attempt.
        client.on('error', () => undefined);
        // Give the first connection a moment, so limits apply from the first request. A Redis
        // that is unreachable, or accepts connections but never answers, does not hold
        // start-up: the service starts degraded, with this one line, and recovers by itself.
        const started = Date.now();
        const ready = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), REDIS_STARTUP_WAIT_MS);
          client.once('ready', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (ready && isCluster(client)) {
          await connectClusterMasters(client, Math.max(0, REDIS_STARTUP_WAIT_MS - (Date.now() - started)));
        }
        if (!ready) {
          logger.warn(
            { waitedMs: REDIS_STARTUP_WAIT_MS },
            `redis not answering at start-up: starting degraded (${degradedLimiting(config)}; fleet auth ` +
              'sync falls back to the database poll); it reconnects by itself',
          );
        }
        return client;
      },
    },
    RedisConnection,
  ],
  exports: [REDIS_CLIENT, RedisConnection],
})
export class RedisModule {}
