import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '@app/database';
import { AuditActor } from '../audit/audit.actions';
import { AuditService } from '../audit/audit.service';
import { AuthSync } from './auth-sync.service';
import { KeyRegistry, RegistrySummary, ReloadOptions } from './key-registry.service';
import { ReloadResultDto } from './dto/reload-result.dto';
import { AuthReloader } from './reload-steps';

/** Applies auth changes here and across the fleet. */
@Injectable()
export class AuthService {
  constructor(
    private readonly registry: KeyRegistry,
    private readonly reloader: AuthReloader,
    private readonly sync: AuthSync,
    private readonly audit: AuditService,
    private readonly transactions: TransactionRunner,
  ) {}

  /** POST /ops/reload-auth: re-read environment, keys file, database and every registered step, everywhere. */
  async reloadAll(actor: AuditActor, options: ReloadOptions = {}): Promise<ReloadResultDto> {
    const { keys, tenants, steps } = await this.reloader.reload('all', options);
    await this.sync.publish('all', options);
    const counts = { keys, tenants, ...steps };
    const details = { ...counts, ...(options.allowMissingKeysFile ? { allowMissingKeysFile: true } : {}) };
    const row = await this.transactions.run((manager) =>
      this.audit.record(manager, actor, { action: 'auth.reload', details }),
    );
    this.audit.logCommitted(row);
    // The tenants feature registers the `plans` step.
    return { ok: true, plans: 0, ...counts };
  }

  /** After a committed change of minted keys: reload them here and on every other instance. */
  async keysChanged(): Promise<RegistrySummary> {
    const summary = await this.registry.reload('db');
    await this.sync.publish('db');
    return summary;
  }
}
