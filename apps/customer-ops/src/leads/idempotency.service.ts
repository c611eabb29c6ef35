import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { AppConfig, Clock } from '@app/config';
import { TransactionRunner } from '@app/database';
import { PINO_LOGGER } from '@app/http';
import { IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotentRequestInFlight } from './leads.errors';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Expired records deleted per statement, so no purge holds a long lock or a huge transaction. */
export const PURGE_BATCH_SIZE = 1000;
/** Statements per purge run at most; what is left waits for the next run. */
export const PURGE_MAX_BATCHES = 100;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const RELEASE_ATTEMPTS = 30;
const RELEASE_RETRY_MS = 1000;

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Idempotency-Key semantics, per tenant, kept 24 h: the first request claims the key and its
 * work and the stored response commit in one transaction; a repeat with the same body gets
 * the stored response (replayed), with another body a 422, and while the first is still
 * running a 409. A failed request releases its claim so the client can retry.
 * Expired records are purged at start-up and then every IDEMPOTENCY_PURGE_INTERVAL.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private purgeTimer: NodeJS.Timeout | undefined;
  private purging: Promise<number> | undefined;

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly transactions: TransactionRunner,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** Purges once before serving, so instances restarted more often than the interval still purge. */
  async onApplicationBootstrap(): Promise<void> {
    await this.purgeNow();
    this.purgeTimer = setInterval(() => void this.purgeNow(), this.config.idempotencyPurgeIntervalMs);
    this.purgeTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    this.purgeTimer = undefined;
    // Let a running purge finish before the database connection closes.
    await this.purging;
  }

  validateKey(key: string): void {
    if (!KEY_PATTERN.test(key)) throw new IdempotencyKeyInvalid();
  }

  async execute<T>(
    tenant: string,
    key: string,
    request: unknown,
    status: number,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<IdempotentResult<T>> {
    this.validateKey(key);
    const hash = requestHash(request);
    const now = this.clock.date();
    const holder = await this.repository.claim({
      tenant,
      key,
      requestHash: hash,
      state: 'in_flight',
      responseStatus: null,
      responseBody: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    });
    if (holder) {
      if (holder.requestHash !== hash) throw new IdempotencyKeyReused();
      if (holder.state !== 'done' || holder.responseBody === null) throw new IdempotentRequestInFlight();
      return { status: holder.responseStatus ?? status, body: JSON.parse(holder.responseBody) as T, replayed: true };
    }
    try {
      const body = await this.transactions.run(async (manager) => {
        const result = await work(manager);
        await this.repository.complete(manager, tenant, key, status, JSON.stringify(result));
        return result;
      });
      return { status, body, replayed: false };
    } catch (error) {
      void this.release(tenant, key);
      throw error;
    }
  }

  /**
   * Frees a failed request's claim so the client can retry. If the database is what failed,
   * the release is retried until it answers again (an unreleased claim is taken over after
   * ABANDONED_CLAIM_MS anyway, e.g. when the process itself died).
   */
  private async release(tenant: string, key: string): Promise<void> {
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      try {
        await this.repository.release(tenant, key);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS).unref());
      }
    }
    this.logger.warn('idempotency key claim could not be released; it is taken over once abandoned');
  }

  /**
   * Deletes the records expired by the clock's now, PURGE_BATCH_SIZE per statement, until a
   * batch comes back short or PURGE_MAX_BATCHES ran; resolves to how many were deleted. A call
   * while a purge is running joins it. Never rejects: a failure is logged and retried next run.
   */
  purgeNow(): Promise<number> {
    this.purging ??= this.purge().finally(() => (this.purging = undefined));
    return this.purging;
  }

  private async purge(): Promise<number> {
    const now = this.clock.date();
    let removed = 0;
    try {
      for (let batch = 0; batch < PURGE_MAX_BATCHES; batch++) {
        const deleted = await this.repository.purgeExpired(now, PURGE_BATCH_SIZE);
        removed += deleted;
        if (deleted < PURGE_BATCH_SIZE) break;
      }
    } catch (error) {
      this.logger.warn({ err: error, removed }, 'idempotency key purge failed');
    }
    if (removed > 0) this.logger.debug({ removed }, 'expired idempotency keys removed');
    return removed;
  }
}
