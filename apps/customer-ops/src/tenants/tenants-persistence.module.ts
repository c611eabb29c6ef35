import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyEntity } from './entities/api-key.entity';
import { TenantEntity } from './entities/tenant.entity';

/** Tenant and key tables, shared by the auth registry and the tenant admin routes. */
@Module({
  imports: [TypeOrmModule.forFeature([TenantEntity, ApiKeyEntity])],
  providers: [ApiKeysRepository],
  exports: [ApiKeysRepository],
})
export class TenantsPersistenceModule {}
