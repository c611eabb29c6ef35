import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { LifecycleService } from './lifecycle.service';

@Module({
  // /health reads whether the rate limiter is degraded.
  imports: [RateLimitModule],
  controllers: [HealthController],
  providers: [HealthService, LifecycleService],
  exports: [LifecycleService],
})
export class OpsModule {}
