import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { LifecycleService } from './lifecycle.service';

@Module({
  controllers: [HealthController],
  providers: [HealthService, LifecycleService],
  exports: [LifecycleService],
})
export class OpsModule {}
