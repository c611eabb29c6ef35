import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { ContextualRequest, PINO_LOGGER } from '@app/http';
import { bucketOf, RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_BACKEND_UP, RATE_LIMIT_FAIL_OPEN_TOTAL, RATE_LIMIT_REJECTED_TOTAL } from './rate-limit.metrics';
import { RateLimitStore } from './rate-limit.store';

const METRICS = [
  RATE_LIMIT_FAIL_OPEN_TOTAL.provider,
  RATE_LIMIT_BACKEND_UP.provider,
  RATE_LIMIT_REJECTED_TOTAL.provider,
];

/**
 * Per-caller rate limits on /ops/* (RATE_LIMIT_OPS) and /v1/* (RATE_LIMIT_DEFAULT), counted
 * in Redis when REDIS_URL is set (shared by all instances) or in memory otherwise.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      // Counting goes through RateLimitStore (see RateLimitGuard); the module only carries
      // the two named budgets and which requests each one applies to.
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: (['ops', 'default'] as const).map((bucket) => ({
          name: bucket,
          limit: config.rateLimit[bucket].limit,
          ttl: config.rateLimit[bucket].ttlMs,
          skipIf: (context) =>
            !config.rateLimit.enabled || bucketOf(context.switchToHttp().getRequest<ContextualRequest>()) !== bucket,
        })),
      }),
    }),
  ],
  providers: [RateLimitStore, ...METRICS, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimitStore],
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
        ...(this.store.kind === 'redis' ? { fallback } : {}),
      },
      `rate limiting: ${this.store.kind} storage`,
    );
  }
}
