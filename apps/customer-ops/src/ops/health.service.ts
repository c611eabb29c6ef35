import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseHealth } from '@app/database';
import { RedisConnection } from '@app/redis';
import { RateLimitStore } from '../rate-limit/rate-limit.store';
import { HealthChecksDto, HealthDto, ReadinessDto } from './dto/health.dto';
import { LifecycleService } from './lifecycle.service';

@Injectable()
export class HealthService {
  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseHealth,
    private readonly redis: RedisConnection,
    private readonly limiter: RateLimitStore,
    private readonly lifecycle: LifecycleService,
  ) {}

  /**
   * `down`: no working connection. `degraded`: connected, but the rate limiter is not counting
   * in Redis (calls time out or fail) and serves per RATE_LIMIT_FALLBACK. Neither call here
   * waits on Redis.
   */
  private redisState(): HealthChecksDto['redis'] {
    const connection = this.redis.state();
    if (connection === 'up' && this.limiter.degraded()) return 'degraded';
    return connection;
  }

  private async checks(): Promise<HealthChecksDto> {
    return { database: await this.database.ping(), redis: this.redisState() };
  }

  /** Liveness: always answers while the process runs; `degraded` when a dependency is down or degraded. */
  async health(): Promise<HealthDto> {
    const checks = await this.checks();
    const degraded = Object.values(checks).some((state) => state === 'down' || state === 'degraded');
    return {
      status: degraded ? 'degraded' : 'ok',
      uptimeSeconds: this.lifecycle.uptimeSeconds(),
      version: this.config.version,
      checks,
    };
  }

  /**
   * Readiness: ready only when the database answers and shutdown has not begun. Redis is
   * reported but never gates readiness: without it requests are still served.
   */
  async readiness(): Promise<ReadinessDto> {
    const checks = await this.checks();
    if (this.lifecycle.isShuttingDown) return { status: 'not_ready', checks, reason: 'shutting down' };
    if (checks.database !== 'up') return { status: 'not_ready', checks, reason: 'database unreachable' };
    return { status: 'ready', checks };
  }
}
