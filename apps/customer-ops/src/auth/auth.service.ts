import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '@app/http';
import { AuthSync } from './auth-sync.service';
import { KeyRegistry, RegistrySummary, ReloadScope } from './key-registry.service';

export interface AuditFields {
  action: 'reload' | 'mint' | 'revoke';
  tenant?: string;
  keyId?: string;
  fingerprint?: string;
}

/** Applies auth changes here and across the fleet, with one audit line each. */
@Injectable()
export class AuthService {
  constructor(
    private readonly registry: KeyRegistry,
    private readonly sync: AuthSync,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** POST /ops/reload-auth: re-read environment, keys file and database. */
  async reloadAll(): Promise<RegistrySummary & { ok: true }> {
    const summary = await this.applyChange('all', { action: 'reload' });
    return { ok: true, ...summary };
  }

  /** Reloads `scope` locally, tells the other instances, and writes the audit line. */
  async applyChange(scope: ReloadScope, audit: AuditFields): Promise<RegistrySummary> {
    const summary = await this.registry.reload(scope);
    await this.sync.publish(scope);
    this.logger.info({ event: 'audit', ...audit, trigger: 'admin', ...summary }, 'audit');
    return summary;
  }
}
