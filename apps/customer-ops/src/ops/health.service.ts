import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { DatabaseHealth } from '@app/database';
import { RedisConnection } from '@app/redis';
import { HealthChecksDto, HealthDto, ReadinessDto } from './dto/health.dto';
import { LifecycleService } from './lifecycle.service';

@Injectable()
export class HealthService {
  constructor(
    private readonly config: AppConfig,
    private readonly database: DatabaseHealth,
    private readonly redis: RedisConnection,
    private readonly lifecycle: LifecycleService,
  ) {}

  private async checks(): Promise<HealthChecksDto> {
    return { database: await this.database.ping(), redis: this.redis.state() };
  }

  /** Liveness: always answers while the process runs; `degraded` when a dependency is down. */
  async health(): Promise<HealthDto> {
    const checks = await this.checks();
    const degraded = Object.values(checks).some((state) => state === 'down');
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
