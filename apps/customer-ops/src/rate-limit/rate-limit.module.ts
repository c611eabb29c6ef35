import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { RateLimitGuard } from './rate-limit.guard';
import {
  RATE_LIMIT_BACKEND_UP,
  RATE_LIMIT_FAIL_OPEN_TOTAL,
  RATE_LIMIT_REJECTED_TOTAL,
  TENANT_QUOTA_USED_RATIO,
  TENANT_REQUESTS_TOTAL,
} from './rate-limit.metrics';
import { RateLimitStore } from './rate-limit.store';

const METRICS = [
  RATE_LIMIT_FAIL_OPEN_TOTAL.provider,
  RATE_LIMIT_BACKEND_UP.provider,
  RATE_LIMIT_REJECTED_TOTAL.provider,
  TENANT_REQUESTS_TOTAL.provider,
  TENANT_QUOTA_USED_RATIO.provider,
];

/**
 * Per-caller limits: each route's family (@RateLimitFamily) of the caller's plan, counted in
 * Redis when REDIS_URL is set (shared by all instances) or in memory otherwise. The guard is
 * registered by AppModule, after the guards that identify the caller and its plan.
 */
@Module({
  imports: [
    // Counting goes through RateLimitStore; the library contributes its guard life cycle.
    ThrottlerModule.forRoot({ throttlers: [{ name: 'plan', limit: 1, ttl: 1000 }] }),
  ],
  providers: [RateLimitStore, RateLimitGuard, ...METRICS],
  exports: [RateLimitStore, RateLimitGuard],
})
export class RateLimitModule implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly store: RateLimitStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, ops, default: v1, fallback } = this.config.rateLimit;
    if (!enabled) {
      this.logger.info('rate limiting disabled (RATE_LIMIT_ENABLED=false)');
      return;
    }
    this.logger.info(
      {
        storage: this.store.kind,
        ops: ops.text,
        default: v1.text,
        plansFile: this.config.plansFile,
        ...(this.store.kind === 'redis' ? { fallback } : {}),
      },
      `rate limiting: ${this.store.kind} storage`,
    );
  }
}
