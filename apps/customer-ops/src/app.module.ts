import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HttpCommonModule } from '@app/http';
import { RedisModule } from '@app/redis';
import { AuthModule } from './auth/auth.module';
import { LeadsModule } from './leads/leads.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelModule } from './model/model.module';
import { OpsModule } from './ops/ops.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TenantsModule } from './tenants/tenants.module';

@Module({
  imports: [
    AppConfigModule,
    HttpCommonModule,
    DatabaseModule,
    RedisModule,
    MetricsModule,
    AuthModule,
    // After AuthModule: its guard identifies the caller that rate limits are counted for.
    RateLimitModule,
    TenantsModule,
    LeadsModule,
    ModelModule,
    OpsModule,
  ],
})
export class AppModule {}
