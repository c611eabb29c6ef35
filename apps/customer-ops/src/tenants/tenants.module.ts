import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AuthReloader } from '../auth/reload-steps';
import { LeadsModule } from '../leads/leads.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { TenantEntity } from './entities/tenant.entity';
import { PlansCatalogue } from './plans/plans-catalogue.service';
import { TenantAccessGuard } from './tenant-access.guard';
import { TenantDirectory } from './tenant-directory.service';
import { TenantKeysService } from './tenant-keys.service';
import { TenantUsageService } from './tenant-usage.service';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

/**
 * Tenants as data: lifecycle, plans and their limits, the admin routes, and the guard that
 * turns a tenant into its status and limits. Calls auth for keys; auth never calls back.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity]), AuthModule, AuditModule, LeadsModule, RateLimitModule],
  controllers: [TenantsController],
  providers: [
    TenantsRepository,
    PlansCatalogue,
    TenantDirectory,
    TenantKeysService,
    TenantUsageService,
    TenantsService,
    TenantAccessGuard,
  ],
  exports: [TenantAccessGuard],
})
export class TenantsModule implements OnModuleInit {
  constructor(
    private readonly reloader: AuthReloader,
    private readonly plans: PlansCatalogue,
  ) {}

  onModuleInit(): void {
    this.reloader.register(this.plans);
  }
}
