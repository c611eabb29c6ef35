import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { createRedisClient } from './redis.factory';

/** How long start-up waits for the first Redis connection before going on without it. */
const STARTUP_CONNECT_WAIT_MS = 2000;

/** The shared command connection, or null when REDIS_URL is unset. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export type RedisState = 'up' | 'down' | 'disabled';

/** Owns the command connection: reports its state and closes it last on shutdown. */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) readonly client: Redis | null) {}

  state(): RedisState {
    if (!this.client) return 'disabled';
    return this.client.status === 'ready' ? 'up' : 'down';
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) this.client.disconnect();
  }
}

/** Redis when configured: one command connection shared by every feature. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig, PINO_LOGGER],
      useFactory: async (config: AppConfig, logger: Logger): Promise<Redis | null> => {
        if (!config.redisUrl) return null;
        const client = createRedisClient(config.redisUrl, 'commands');
        // Connection errors are reported by the features that notice them (one line per
        // outage); without a listener ioredis would print every reconnect attempt.
        client.on('error', () => undefined);
        // Give the first connection a moment, so limits apply from the first request. An
        // unreachable Redis does not hold start-up: the service starts degraded.
        const ready = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), STARTUP_CONNECT_WAIT_MS);
          client.once('ready', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!ready) logger.warn('redis not reachable at start-up; starting without it, it will reconnect by itself');
        return client;
      },
    },
    RedisConnection,
  ],
  exports: [REDIS_CLIENT, RedisConnection],
})
export class RedisModule {}
