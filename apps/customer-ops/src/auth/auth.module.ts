import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsPersistenceModule } from '../tenants/tenants-persistence.module';
import { AdminKeyVerifier } from './admin-key';
import { AuthSync } from './auth-sync.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { KeyRegistry } from './key-registry.service';
import { KeySources } from './key-sources';

/** API keys and the admin key: the registry, the global guard, reloads and fleet sync. */
@Global()
@Module({
  imports: [TenantsPersistenceModule],
  controllers: [AuthController],
  providers: [
    KeySources,
    KeyRegistry,
    AdminKeyVerifier,
    AuthSync,
    AuthService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [KeyRegistry, AuthService],
})
export class AuthModule {}
