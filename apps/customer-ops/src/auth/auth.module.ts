import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AdminKeyVerifier } from './admin-key';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { API_TENANTS_COUNT, AUTH_FAILURES_TOTAL } from './auth.metrics';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthSync } from './auth-sync.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { ApiKeyUsageEntity } from './entities/api-key-usage.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { KeyRegistry } from './key-registry.service';
import { KeySources } from './key-sources';
import { KeyUsageRepository } from './key-usage.repository';
import { KeyUsageRecorder } from './key-usage.service';
import { AuthReloader } from './reload-steps';

/**
 * API keys and the admin key: the key table, minting and revoking, the registry, last use, the guard
 * (registered in order by AppModule), reloads and fleet sync. Knows nothing of tenants' plans.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity, ApiKeyUsageEntity]), AuditModule, RateLimitModule],
  controllers: [AuthController],
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    KeySources,
    KeyUsageRepository,
    KeyUsageRecorder,
    KeyRegistry,
    AdminKeyVerifier,
    AuthFailureThrottle,
    AUTH_FAILURES_TOTAL.provider,
    API_TENANTS_COUNT.provider,
    AuthReloader,
    AuthSync,
    AuthService,
    AuthGuard,
  ],
  exports: [KeyRegistry, KeyUsageRecorder, AuthService, ApiKeysService, AuthReloader, AuthGuard],
})
export class AuthModule {}
