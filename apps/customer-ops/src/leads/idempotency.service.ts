import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ObjectLiteral } from 'typeorm';
import { AppConfig, Clock } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotentRequestInFlight } from './leads.errors';
import { holdsKey, IdempotencyRepository, StoredRow } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Expired records deleted per statement, so no purge holds a long lock or a huge transaction. */
export const PURGE_BATCH_SIZE = 1000;
/** Statements per purge run at most; what is left waits for the next run. */
export const PURGE_MAX_BATCHES = 100;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Claims tried when the record holding the key vanishes or expires between two statements. */
const CLAIM_ATTEMPTS = 3;

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** What a new request produces, computed before it touches the database. */
export interface IdempotentWork<T, E extends ObjectLiteral> {
  /** The response, stored with the claim for repeats. */
  body: T;
  /** The one row the request stores, with the claim or not at all. */
  store: StoredRow<E>;
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
 * Idempotency-Key semantics, per tenant, kept 24 h: the first request claims the key and stores
 * its row and its response together, in one statement on Postgres (one transaction on SQLite),
 * so a failure leaves neither a claim nor a row behind and the client can simply retry. A
 * repeat with the same body gets the stored response (replayed), with another body a 422; a
 * repeat racing the first waits for it and is replayed. A claim still in flight (written by
 * earlier versions, which claimed first and worked after) is a 409 until it is abandoned.
 * Expired records are purged at start-up and then every IDEMPOTENCY_PURGE_INTERVAL.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private purgeTimer: NodeJS.Timeout | undefined;
  private purging: Promise<number> | undefined;

  constructor(
    private readonly repository: IdempotencyRepository,
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

  /**
   * Runs `work` (pure computation: it must not touch the database) for a valid key, then claims
   * the key and stores the work's row with it; a key already held answers from its record.
   */
  async execute<T, E extends ObjectLiteral>(
    tenant: string,
    key: string,
    request: unknown,
    status: number,
    work: () => IdempotentWork<T, E>,
  ): Promise<IdempotentResult<T>> {
    this.validateKey(key);
    const hash = requestHash(request);
    const { body, store } = work();
    const responseBody = JSON.stringify(body);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const now = this.clock.date();
      const claimed = await this.repository.claimWith(
        {
          tenant,
          key,
          requestHash: hash,
          state: 'done',
          responseStatus: status,
          responseBody,
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        },
        store,
      );
      if (claimed) return { status, body, replayed: false };
      const holder = await this.repository.holder(tenant, key);
      // Purged, or expired, since the claim found it: claim again.
      if (!holder || !holdsKey(holder, now)) continue;
      if (holder.requestHash !== hash) throw new IdempotencyKeyReused();
      if (holder.state !== 'done' || holder.responseBody === null) throw new IdempotentRequestInFlight();
      return { status: holder.responseStatus ?? status, body: JSON.parse(holder.responseBody) as T, replayed: true };
    }
    throw new Error('idempotency key could not be claimed');
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
