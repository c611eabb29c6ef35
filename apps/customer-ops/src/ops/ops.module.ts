import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { LifecycleService } from './lifecycle.service';
import { ModelStatusController } from './model-status.controller';
import { ModelStatusService } from './model-status.service';

@Module({
  controllers: [HealthController, ModelStatusController],
  providers: [HealthService, LifecycleService, ModelStatusService],
  exports: [LifecycleService],
})
export class OpsModule {}
