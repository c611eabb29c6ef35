import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '@app/database';
import { PINO_LOGGER } from '@app/http';
import { IdempotencyKeyInvalid, IdempotencyKeyReused, IdempotentRequestInFlight } from './leads.errors';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const PURGE_INTERVAL_MS = 3_600_000;
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
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnApplicationShutdown {
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly transactions: TransactionRunner,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
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
    const now = new Date();
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

  private async purge(): Promise<void> {
    try {
      const removed = await this.repository.purgeExpired(new Date());
      if (removed > 0) this.logger.debug({ removed }, 'expired idempotency keys removed');
    } catch (error) {
      this.logger.warn({ err: error }, 'idempotency key purge failed');
    }
  }
}
