import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '@app/http';
import { InjectMetric } from '../metrics/metric-definition';
import { API_TENANTS_COUNT } from '../metrics/tenants.metrics';
import { DuplicateKeyAcrossTenants } from './auth.errors';
import { digestKey } from './key-material';
import { KeySources } from './key-sources';
import { isUsable, KeySource, RegisteredKey } from './registered-key';

/** Which sources a reload re-reads: everything, or only the database (after a mint or revoke). */
export type ReloadScope = 'all' | 'db';

export interface RegistrySummary {
  keys: number;
  tenants: number;
}

interface Snapshot {
  bySource: Record<KeySource, RegisteredKey[]>;
  byDigest: Map<string, RegisteredKey>;
}

const EMPTY: Snapshot = { bySource: { env: [], file: [], db: [] }, byDigest: new Map() };

/**
 * The in-memory key registry. Each reload builds a complete new snapshot and swaps it in
 * with one assignment, so a request never sees a half-built map; if building fails, the
 * previous snapshot stays in force. Reloads are serialised.
 */
@Injectable()
export class KeyRegistry implements OnModuleInit {
  private snapshot: Snapshot = EMPTY;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sources: KeySources,
    @InjectMetric(API_TENANTS_COUNT) private readonly tenantsGauge: Gauge,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const summary = await this.reload('all');
    this.logger.info({ ...summary, keysFile: this.sources.keysFilePath }, 'auth keys loaded');
  }

  /** The usable key matching a presented key, or null. */
  resolve(presentedKey: string): RegisteredKey | null {
    const key = this.snapshot.byDigest.get(digestKey(presentedKey));
    return key && isUsable(key, Date.now()) ? key : null;
  }

  reload(scope: ReloadScope): Promise<RegistrySummary> {
    const run = this.queue.then(() => this.rebuild(scope));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Keys that authenticate right now. */
  activeKeys(): RegisteredKey[] {
    const now = Date.now();
    return [...this.snapshot.byDigest.values()].filter((key) => isUsable(key, now));
  }

  summary(): RegistrySummary {
    const keys = this.activeKeys();
    return { keys: keys.length, tenants: new Set(keys.map((key) => key.tenant)).size };
  }

  /** Any key of this tenant and id that the registry knows, usable or not. */
  findKey(tenant: string, id: string): RegisteredKey | undefined {
    return [...this.snapshot.byDigest.values()].find((key) => key.tenant === tenant && key.id === id);
  }

  hasTenant(tenant: string): boolean {
    return this.activeKeys().some((key) => key.tenant === tenant);
  }

  private async rebuild(scope: ReloadScope): Promise<RegistrySummary> {
    const now = new Date();
    const previous = this.snapshot;
    const bySource: Record<KeySource, RegisteredKey[]> = {
      env: scope === 'all' ? this.sources.fromEnvironment(now) : previous.bySource.env,
      file: scope === 'all' ? await this.sources.fromFile(now) : previous.bySource.file,
      db: await this.sources.fromDatabase(now),
    };
    const byDigest = new Map<string, RegisteredKey>();
    const previousCreatedAt = new Map([...previous.byDigest.values()].map((key) => [key.id, key.createdAt]));
    for (const key of [...bySource.env, ...bySource.file, ...bySource.db]) {
      const existing = byDigest.get(key.digest);
      if (existing && existing.tenant !== key.tenant) throw new DuplicateKeyAcrossTenants(existing.tenant, key.tenant);
      if (existing) continue;
      byDigest.set(key.digest, { ...key, createdAt: previousCreatedAt.get(key.id) ?? key.createdAt });
    }
    this.snapshot = { bySource, byDigest };
    const summary = this.summary();
    this.tenantsGauge.set(summary.tenants);
    return summary;
  }
}
