import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { REDIS_CLIENT } from '@app/redis';
import { InjectMetric } from '../metrics/metric-definition';
import { RATE_LIMIT_BACKEND_UP, RATE_LIMIT_FAIL_OPEN_TOTAL } from './rate-limit.metrics';
import { RedisThrottlerStorage, ThrottlerStorageRecord } from './redis-throttler.storage';

/** After a Redis failure, skip Redis for this long before trying again (no per-request timeouts). */
export const BACKEND_RETRY_AFTER_MS = 1000;

export type StorageKind = 'redis' | 'memory';

/**
 * Where rate-limit counters live. With REDIS_URL: Redis, shared by every instance. When Redis
 * is unreachable or slow the store degrades per request instead of failing it: `open` serves
 * the request unchecked (counted in rate_limit_fail_open_total), `memory` counts it in this
 * instance's memory. One log line marks the start of an outage and one its end; limiting
 * resumes by itself once Redis answers again. Without REDIS_URL: memory, one instance.
 */
@Injectable()
export class RateLimitStore implements OnModuleInit, OnApplicationShutdown {
  readonly kind: StorageKind;
  private readonly redisStorage: RedisThrottlerStorage | null;
  private readonly memory = new ThrottlerStorageService();
  /** `starting` until the first connection succeeds or fails, so boot is not reported as an outage. */
  private state: 'starting' | 'up' | 'down';
  private retryAt = 0;

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @InjectMetric(RATE_LIMIT_FAIL_OPEN_TOTAL) private readonly failOpen: Counter,
    @InjectMetric(RATE_LIMIT_BACKEND_UP) private readonly backendGauge: Gauge,
  ) {
    this.kind = redis ? 'redis' : 'memory';
    this.state = redis ? 'starting' : 'up';
    this.redisStorage = redis ? new RedisThrottlerStorage(redis, `${config.redisKeyPrefix}:rl`) : null;
  }

  onModuleInit(): void {
    if (!this.redis) {
      this.backendGauge.set(1);
      return;
    }
    // The connection's own events mark outages as soon as they are visible.
    this.redis.on('close', () => this.markDown('connection closed'));
    this.redis.on('ready', () => this.markUp());
    if (this.redis.status === 'ready') this.markUp();
    else this.backendGauge.set(0);
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }

  /** The record, or null when the request must be served unchecked (Redis down, fallback open). */
  async tryIncrement(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord | null> {
    if (!this.redisStorage || !this.redis) return this.memory.increment(key, ttl, limit, blockDuration, name);
    if (this.redis.status === 'ready' && Date.now() >= this.retryAt) {
      try {
        const record = await this.redisStorage.increment(key, ttl, limit, blockDuration, name);
        this.markUp();
        return record;
      } catch (error) {
        this.markDown((error as Error).message);
      }
    }
    if (this.config.rateLimit.fallback === 'memory') return this.memory.increment(key, ttl, limit, blockDuration, name);
    this.failOpen.inc();
    return null;
  }

  private markDown(reason: string): void {
    this.retryAt = Date.now() + BACKEND_RETRY_AFTER_MS;
    if (this.state === 'down') return;
    this.state = 'down';
    this.backendGauge.set(0);
    const mode =
      this.config.rateLimit.fallback === 'memory'
        ? 'limiting from this instance’s memory'
        : 'failing open: requests are not limited';
    this.logger.warn({ reason }, `rate limiter: Redis unavailable, ${mode}`);
  }

  private markUp(): void {
    this.retryAt = 0;
    if (this.state === 'up') return;
    const recovered = this.state === 'down';
    this.state = 'up';
    this.backendGauge.set(1);
    if (recovered) this.logger.warn('rate limiter: Redis is back, shared limits resume');
  }
}
