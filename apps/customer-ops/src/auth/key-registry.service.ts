import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { AppConfig, Clock } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { InjectMetric } from '@app/metrics';
import { API_TENANTS_COUNT } from './auth.metrics';
import { ApiKeyTooShort, DuplicateKeyAcrossTenants, KeysFileMissing } from './auth.errors';
import { digestKey } from './key-material';
import { describeShortKey, KeySources, LoadedFile, LoadedKeys, MIN_KEY_LENGTH, ShortKey } from './key-sources';
import { KeyUsageRecorder } from './key-usage.service';
import { isUsable, KeySource, RegisteredKey } from './registered-key';

/** Which sources a reload re-reads: everything, or only the database (after a mint or revoke). */
export type ReloadScope = 'all' | 'db';

export interface ReloadOptions {
  /**
   * Accept a keys file that has gone missing although the last load read keys from it (its
   * keys are dropped). Without it such a reload fails with KEYS_FILE_MISSING and nothing changes.
   */
  allowMissingKeysFile?: boolean;
}

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
  private loaded = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<(tenants: string[]) => void> = [];

  constructor(
    private readonly sources: KeySources,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly usage: KeyUsageRecorder,
    @InjectMetric(API_TENANTS_COUNT) private readonly tenantsGauge: Gauge,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const summary = await this.reload('all');
    this.logger.info({ ...summary, keysFile: this.sources.keysFilePath }, 'auth keys loaded');
  }

  /** The usable key matching a presented key, or null. A match is noted as the key's last use. */
  resolve(presentedKey: string): RegisteredKey | null {
    const key = this.snapshot.byDigest.get(digestKey(presentedKey));
    if (!key) return null;
    const now = this.clock.now();
    if (!isUsable(key, now)) return null;
    this.usage.used(key, now);
    return key;
  }

  reload(scope: ReloadScope, options: ReloadOptions = {}): Promise<RegistrySummary> {
    const run = this.queue.then(() => this.rebuild(scope, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Keys that authenticate right now. */
  activeKeys(): RegisteredKey[] {
    const now = this.clock.now();
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

  /** Tenants with at least one active key. */
  tenants(): string[] {
    return [...new Set(this.activeKeys().map((key) => key.tenant))];
  }

  /** Keys of a tenant that come from the environment or the keys file (not erasable through the API). */
  configuredKeys(tenant: string): RegisteredKey[] {
    const { env, file } = this.snapshot.bySource;
    return [...env, ...file].filter((key) => key.tenant === tenant);
  }

  /** Called with the tenants that have keys after every successful reload. */
  onReload(listener: (tenants: string[]) => void): void {
    this.listeners.push(listener);
  }

  private async rebuild(scope: ReloadScope, options: ReloadOptions): Promise<RegistrySummary> {
    const now = this.clock.date();
    const previous = this.snapshot;
    const firstLoad = !this.loaded;
    let env: LoadedKeys = { keys: previous.bySource.env, short: [] };
    let file: LoadedFile = { keys: previous.bySource.file, short: [], missing: false };
    if (scope === 'all') {
      env = this.sources.fromEnvironment(now);
      file = await this.sources.fromFile(now);
    }
    const bySource: Record<KeySource, RegisteredKey[]> = {
      env: env.keys,
      file: file.keys,
      db: await this.sources.fromDatabase(now),
    };
    if (file.missing) this.checkMissingFile(previous, firstLoad, options);
    this.checkKeyLengths([...env.short, ...file.short], firstLoad);
    const byDigest = new Map<string, RegisteredKey>();
    const previousCreatedAt = new Map([...previous.byDigest.values()].map((key) => [key.id, key.createdAt]));
    for (const key of [...bySource.env, ...bySource.file, ...bySource.db]) {
      const existing = byDigest.get(key.digest);
      if (existing && existing.tenant !== key.tenant) throw new DuplicateKeyAcrossTenants(existing.tenant, key.tenant);
      if (existing) continue;
      byDigest.set(key.digest, { ...key, createdAt: previousCreatedAt.get(key.id) ?? key.createdAt });
    }
    this.snapshot = { bySource, byDigest };
    this.loaded = true;
    this.usage.retain(new Set([...byDigest.values()].map((key) => key.id)));
    const summary = this.summary();
    this.tenantsGauge.set(summary.tenants);
    const tenants = this.tenants();
    this.listeners.forEach((listener) => listener(tenants));
    return summary;
  }

  /**
   * A keys file that disappeared while its keys are in force is more likely a mistake (a
   * moved file, a missing mount) than a decision to lock those tenants out: refuse, unless
   * the operator said so. At start-up there is nothing to keep: warn and go on.
   */
  private checkMissingFile(previous: Snapshot, firstLoad: boolean, options: ReloadOptions): void {
    const keysFile = this.sources.keysFilePath;
    if (firstLoad) {
      this.logger.warn({ keysFile }, `keys file ${keysFile} not found; starting without keys from it`);
      return;
    }
    const inForce = previous.bySource.file.length;
    if (inForce === 0) return;
    if (!options.allowMissingKeysFile) throw new KeysFileMissing(keysFile);
    this.logger.warn({ keysFile, removedKeys: inForce }, `keys file ${keysFile} is missing; its keys were removed`);
  }

  /** Short env / file keys: refused in production (the first load stops start-up), a warning elsewhere. */
  private checkKeyLengths(short: ShortKey[], firstLoad: boolean): void {
    if (short.length === 0) return;
    const keysFile = this.sources.keysFilePath;
    if (this.config.isProduction) {
      const names = [...new Set(short.map((key) => describeShortKey(key, keysFile)))];
      throw new ApiKeyTooShort(names, MIN_KEY_LENGTH, !firstLoad);
    }
    for (const key of short) {
      this.logger.warn(
        { tenant: key.tenant, source: key.source, ...(key.line !== undefined ? { line: key.line } : {}) },
        `${describeShortKey(key, keysFile)} is shorter than ${MIN_KEY_LENGTH} characters; use a longer key in production`,
      );
    }
  }
}
