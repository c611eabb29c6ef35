import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HttpCommonModule } from '@app/http';
import { RedisModule } from '@app/redis';
import { ApiDocsModule } from './api-docs/api-docs.module';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { LeadsModule } from './leads/leads.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelModule } from './model/model.module';
import { OpsModule } from './ops/ops.module';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { TenantAccessGuard } from './tenants/tenant-access.guard';
import { TenantsModule } from './tenants/tenants.module';

@Module({
  imports: [
    AppConfigModule,
    HttpCommonModule,
    DatabaseModule,
    RedisModule,
    MetricsModule,
    AuditModule,
    RateLimitModule,
    AuthModule,
    TenantsModule,
    LeadsModule,
    ModelModule,
    OpsModule,
    ApiDocsModule,
  ],
  providers: [
    // The guard chain, in order: who is calling (key), what the caller may do (tenant status
    // and plan), then how much (rate limits and quotas of that plan).
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_GUARD, useExisting: TenantAccessGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
  ],
})
export class AppModule {}
