import { Module } from '@nestjs/common';
import { TenantsPersistenceModule } from './tenants-persistence.module';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** Admin routes for tenants and their keys. The key registry itself belongs to AuthModule. */
@Module({
  imports: [TenantsPersistenceModule],
  controllers: [TenantsController],
  providers: [TenantsService],
  exports: [TenantsService],
})
export class TenantsModule {}
