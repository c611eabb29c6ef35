import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '@app/config';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyNotFound, KeyManagedElsewhere } from './auth.errors';
import { ApiKeyEntity } from './entities/api-key.entity';
import { digestKey, fingerprintOf, mintKey } from './key-material';
import { KeyRegistry } from './key-registry.service';
import { KeyUsageRepository } from './key-usage.repository';
import { KeyUsageRecorder } from './key-usage.service';

const DAY_MS = 86_400_000;

export interface MintedKey {
  id: string;
  tenant: string;
  /** The plaintext key: returned once, never stored. */
  key: string;
  fingerprint: string;
  expiresAt: Date | null;
}

export interface RevokedKey {
  id: string;
  fingerprint: string;
  /** When the key stops (or stopped) working. */
  revokedAt: Date;
  /** False when the key was already revoked at least as early: nothing was written. */
  changed: boolean;
}

/**
 * The lifecycle of minted keys: mint and revoke. Writes go through the caller's transaction
 * (so the caller's audit row commits with them); the caller applies the change to the registry
 * once it has committed.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: ApiKeysRepository,
    private readonly registry: KeyRegistry,
    private readonly usage: KeyUsageRepository,
    private readonly usageRecorder: KeyUsageRecorder,
  ) {}

  async mint(tenant: string, expiresInDays: number | undefined, now: Date, manager: EntityManager): Promise<MintedKey> {
    const key = mintKey();
    const digest = digestKey(key);
    const row: ApiKeyEntity = {
      id: randomUUID(),
      tenant,
      keyHash: digest,
      fingerprint: fingerprintOf(digest),
      createdAt: now,
      expiresAt: expiresInDays ? new Date(now.getTime() + expiresInDays * DAY_MS) : null,
      revokedAt: null,
    };
    await this.repository.insertKey(row, manager);
    return { id: row.id, tenant, key, fingerprint: row.fingerprint, expiresAt: row.expiresAt };
  }

  /**
   * Revokes a minted key `graceSeconds` from `now`. Revoking again may shorten the grace
   * (down to now) but never extends it.
   */
  async revoke(
    tenant: string,
    id: string,
    graceSeconds: number,
    now: Date,
    manager: EntityManager,
  ): Promise<RevokedKey> {
    const row = await this.repository.findKey(tenant, id, manager);
    if (!row) {
      const known = this.registry.findKey(tenant, id);
      if (known?.source === 'env') throw new KeyManagedElsewhere(id, `the environment (API_KEY_${tenant})`);
      if (known?.source === 'file') throw new KeyManagedElsewhere(id, `the keys file ${this.config.apiKeysFile}`);
      throw new ApiKeyNotFound(tenant, id);
    }
    const requested = new Date(now.getTime() + graceSeconds * 1000);
    if (row.revokedAt && row.revokedAt.getTime() <= requested.getTime()) {
      return { id, fingerprint: row.fingerprint, revokedAt: row.revokedAt, changed: false };
    }
    await this.repository.revokeKey(tenant, id, requested, manager);
    return { id, fingerprint: row.fingerprint, revokedAt: requested, changed: true };
  }

  /**
   * Deletes every minted key of a tenant and the last-use rows of all its keys, in the
   * caller's transaction (offboarding). Returns how many minted keys there were.
   */
  async eraseTenant(tenant: string, manager: EntityManager): Promise<number> {
    this.usageRecorder.forgetTenant(tenant);
    await this.usage.eraseTenant(tenant, manager);
    return this.repository.deleteForTenant(tenant, manager);
  }
}
