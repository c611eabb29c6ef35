import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { clusterMasters, isCluster, REDIS_CLIENT, RedisClient, redisPartOf } from '@app/redis';
import { InjectMetric } from '@app/metrics';
import { LimitDecision, LimiterStorage, LimitRequest, subjectKey } from './limiter-storage';
import { MemoryLimiterStorage } from './memory-limiter.storage';
import { RATE_LIMIT_BACKEND_UP, RATE_LIMIT_FAIL_OPEN_TOTAL } from './rate-limit.metrics';
import { RedisLimiterStorage } from './redis-limiter.storage';

/**
 * After a Redis failure, skip Redis for this long before trying again, so a stalled Redis
 * costs one request per interval a REDIS_COMMAND_TIMEOUT_MS wait, not every request. In a
 * cluster the interval is per master: only the callers whose counters live on the failing one
 * skip it.
 */
export const BACKEND_RETRY_AFTER_MS = 1000;

export type StorageKind = 'redis' | 'memory';

/** The part of Redis that stands for the whole connection while it is closed. */
const CONNECTION = 'connection';

/**
 * Where rate-limit counters live. With REDIS_URL or REDIS_CLUSTER_NODES: Redis, shared by every
 * instance. When Redis is unreachable or slow (each call is bounded by REDIS_COMMAND_TIMEOUT_MS)
 * the store degrades per request instead of failing it: `open` serves the request unchecked
 * (counted in rate_limit_fail_open_total), `memory` counts it in this instance's memory. One log
 * line marks the start of an outage and one its end (a start without Redis is announced once, by
 * the Redis module); limiting resumes by itself once Redis answers again. In a cluster a failure
 * is held against the master of the caller's slot only: while one master is down the callers on
 * its slots degrade and every other caller keeps its shared limits; the outage ends when every
 * failing master has answered again (or no longer serves slots). Without Redis: memory, one
 * instance.
 */
@Injectable()
export class RateLimitStore implements OnModuleInit {
  readonly kind: StorageKind;
  private readonly redisStorage: RedisLimiterStorage | null;
  private readonly memory = new MemoryLimiterStorage();
  private readonly keyPrefix: string;
  /** `starting` until the first connection succeeds or fails, so boot is not reported as an outage. */
  private state: 'starting' | 'up' | 'down';
  /** The failing parts of Redis (`redis`, a cluster master's `host:port`, or the connection) and when to try each again. */
  private readonly failing = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @InjectMetric(RATE_LIMIT_FAIL_OPEN_TOTAL) private readonly failOpen: Counter,
    @InjectMetric(RATE_LIMIT_BACKEND_UP) private readonly backendGauge: Gauge,
  ) {
    this.kind = redis ? 'redis' : 'memory';
    this.state = redis ? 'starting' : 'up';
    this.keyPrefix = `${config.redisKeyPrefix}:rl`;
    this.redisStorage = redis ? new RedisLimiterStorage(redis, this.keyPrefix) : null;
  }

  onModuleInit(): void {
    if (!this.redis) {
      this.backendGauge.set(1);
      return;
    }
    // The connection's own events mark outages as soon as they are visible.
    this.redis.on('close', () => this.markDown(CONNECTION, 'connection closed'));
    this.redis.on('ready', () => this.markUp());
    if (this.redis.status === 'ready') {
      this.markUp();
      return;
    }
    // Redis did not answer within the start-up wait, which the Redis module has logged: start
    // degraded without a second line; the recovery is logged when it answers.
    this.state = 'down';
    this.backendGauge.set(0);
  }

  /**
   * True while limits are not counted in Redis although Redis is configured: Redis (or, in a
   * cluster, one of its masters) unreachable, stalled (calls timing out) or failing, and the
   * requests it would count served per RATE_LIMIT_FALLBACK.
   */
  degraded(): boolean {
    return this.kind === 'redis' && this.state === 'down';
  }

  /** The decision, or null when the request must be served unchecked (Redis down, fallback open). */
  consume(request: LimitRequest): Promise<LimitDecision | null> {
    return this.run(request, (storage) => storage.consume(request), true);
  }

  /** Current counts without counting; null while the shared counters cannot be read. */
  peek(request: LimitRequest): Promise<LimitDecision | null> {
    return this.run(request, (storage) => storage.peek(request), false);
  }

  /** Clears a subject's counters (both storages, so a fallback period leaves nothing behind). */
  async reset(request: LimitRequest): Promise<void> {
    await this.memory.reset(request);
    if (this.redisStorage) await this.redisStorage.reset(request);
  }

  private async run<T>(
    request: LimitRequest,
    operation: (storage: LimiterStorage) => Promise<T>,
    counting: boolean,
  ): Promise<T | null> {
    if (!this.redisStorage || !this.redis) return operation(this.memory);
    if (this.redis.status === 'ready') {
      const part = redisPartOf(this.redis, subjectKey(this.keyPrefix, request.subject));
      if (Date.now() >= (this.failing.get(part) ?? 0)) {
        try {
          const result = await operation(this.redisStorage);
          this.answered(part);
          return result;
        } catch (error) {
          this.markDown(part, (error as Error).message);
        }
      }
    }
    if (this.config.rateLimit.fallback === 'memory') return operation(this.memory);
    if (counting) this.failOpen.inc();
    return null;
  }

  private markDown(part: string, reason: string): void {
    this.failing.set(part, Date.now() + BACKEND_RETRY_AFTER_MS);
    if (this.state === 'down') return;
    this.state = 'down';
    this.backendGauge.set(0);
    const mode =
      this.config.rateLimit.fallback === 'memory'
        ? 'limiting from this instance’s memory'
        : 'failing open: requests are not limited';
    const where = this.redis && isCluster(this.redis) && part !== CONNECTION ? { clusterNode: part } : {};
    this.logger.warn({ reason, ...where }, `rate limiter: Redis unavailable, ${mode}`);
  }

  /** `part` answered: it is no longer failing; the outage ends with the last failing part. */
  private answered(part: string): void {
    if (this.failing.size === 0) {
      this.markUp();
      return;
    }
    this.failing.delete(part);
    if (this.redis && isCluster(this.redis)) {
      // A master that failed over or was removed holds no slot any more: nothing waits on it.
      const masters = clusterMasters(this.redis);
      for (const failed of this.failing.keys()) if (!masters.has(failed)) this.failing.delete(failed);
    }
    if (this.failing.size === 0) this.markUp();
  }

  private markUp(): void {
    this.failing.clear();
    if (this.state === 'up') return;
    const recovered = this.state === 'down';
    this.state = 'up';
    this.backendGauge.set(1);
    if (recovered) this.logger.warn('rate limiter: Redis is back, shared limits resume');
  }
}
