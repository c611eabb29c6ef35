import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HttpCommonModule } from '@app/http';
import { MetricsModule } from './metrics/metrics.module';
import { OpsModule } from './ops/ops.module';

@Module({
  imports: [AppConfigModule, HttpCommonModule, DatabaseModule, MetricsModule, OpsModule],
})
export class AppModule {}
