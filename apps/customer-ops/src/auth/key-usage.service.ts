import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { ApiKeyUsageEntity } from './entities/api-key-usage.entity';
import { KeyUsageRepository } from './key-usage.repository';
import { RegisteredKey } from './registered-key';

/** A key's use is written at most this often: last-use times are accurate to this. */
export const KEY_USAGE_RESOLUTION_MS = 60_000;
/** How often queued uses are written, off the request path. */
export const KEY_USAGE_FLUSH_INTERVAL_MS = 10_000;

/**
 * Records when each key last authenticated a request, to the minute. The registry calls
 * `used()` on every successful resolve: one Map lookup and one comparison, unless the key
 * was not marked within the last minute, when its use is queued. A timer writes the queue in
 * one batch; a failed write is logged once and retried with the next batch.
 */
@Injectable()
export class KeyUsageRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Key id -> when its use was last queued (epoch ms). Entries older than a minute are pruned. */
  private readonly marked = new Map<string, number>();
  /** Key id -> the use waiting to be written. */
  private pending = new Map<string, ApiKeyUsageEntity>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly repository: KeyUsageRepository,
    private readonly clock: Clock,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), KEY_USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the database closes: stop the timer and write what is queued. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** The hot path: `key` just authenticated a request at `now` (epoch ms). */
  used(key: RegisteredKey, now: number): void {
    const last = this.marked.get(key.id);
    if (last !== undefined && now - last < KEY_USAGE_RESOLUTION_MS) return;
    this.marked.set(key.id, now);
    this.pending.set(key.id, { keyId: key.id, tenant: key.tenant, lastUsedAt: new Date(now) });
  }

  /** Writes the queued uses now (after any write under way). Never rejects. */
  flush(): Promise<void> {
    const run = this.writing.then(() => this.write());
    this.writing = run;
    return run;
  }

  /** Stored last-use times of these keys; keys never used are absent. */
  lastUsed(keyIds: string[]): Promise<Map<string, Date>> {
    return keyIds.length === 0 ? Promise.resolve(new Map()) : this.repository.lastUsed(keyIds);
  }

  /** Drops queued uses of a tenant's keys (the tenant is being erased). */
  forgetTenant(tenant: string): void {
    for (const [id, usage] of this.pending) {
      if (usage.tenant !== tenant) continue;
      this.pending.delete(id);
      this.marked.delete(id);
    }
  }

  /** Drops queued uses of keys the registry no longer holds (erased or removed). */
  retain(keyIds: ReadonlySet<string>): void {
    for (const id of this.pending.keys()) if (!keyIds.has(id)) this.pending.delete(id);
    for (const id of this.marked.keys()) if (!keyIds.has(id)) this.marked.delete(id);
  }

  private async write(): Promise<void> {
    if (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.repository.record([...batch.values()]);
        if (this.failing) {
          this.failing = false;
          this.logger.info({ keys: batch.size }, 'key usage: last-use times are written again');
        }
      } catch (error) {
        // Keep the batch for the next flush, unless a newer use of the same key is queued.
        for (const [id, usage] of batch) if (!this.pending.has(id)) this.pending.set(id, usage);
        if (!this.failing) {
          this.failing = true;
          this.logger.warn({ err: error, keys: batch.size }, 'key usage: writing last-use times failed; will retry');
        }
      }
    }
    this.prune(this.clock.now());
  }

  /** A mark older than a minute no longer suppresses anything: forget it, so the map stays small. */
  private prune(now: number): void {
    for (const [id, at] of this.marked) if (now - at >= KEY_USAGE_RESOLUTION_MS) this.marked.delete(id);
  }
}
