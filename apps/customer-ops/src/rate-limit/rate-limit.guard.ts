import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { Counter } from 'prom-client';
import { contextOf, ContextualRequest, DomainError, routeTemplateOf } from '@app/http';
import { InjectMetric } from '../metrics/metric-definition';
import { RATE_LIMIT_REJECTED_TOTAL } from './rate-limit.metrics';
import { RateLimitStore } from './rate-limit.store';

export type Bucket = 'ops' | 'default';

/** Express' response and Fastify's reply both set headers with header(name, value). */
interface HeaderWriter {
  header(name: string, value: string): unknown;
}

/** /ops/* routes count against the ops budget, /v1/* against the default one; others are never limited. */
export function bucketOf(req: ContextualRequest): Bucket | null {
  const path = routeTemplateOf(req);
  if (path === '/ops' || path.startsWith('/ops/')) return 'ops';
  if (path === '/v1' || path.startsWith('/v1/')) return 'default';
  return null;
}

/** Budgets are per caller: a tenant, the operator (admin key), or an anonymous client IP. */
export function trackerOf(req: ContextualRequest): string {
  const principal = contextOf(req)?.principal;
  if (principal?.kind === 'tenant') return `tenant:${principal.id}`;
  if (principal?.kind === 'admin') return 'admin';
  return `ip:${req.ip ?? 'unknown'}`;
}

export class RateLimitExceeded extends DomainError {
  constructor(limit: number, ttlMs: number, retryAfterSeconds: number) {
    super(
      'too_many_requests',
      'RATE_LIMITED',
      `Rate limit exceeded: ${limit} requests per ${Math.round(ttlMs / 1000)}s`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}

/**
 * @nestjs/throttler's guard with our policy: one bucket per route family, per-caller keys,
 * X-RateLimit-* headers on every limited response, 429 in the standard envelope, and no
 * headers at all while the backend is degraded (the request is served unchecked).
 * Runs after the auth guard, so the caller is known.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage, // unused: counting goes through RateLimitStore
    reflector: Reflector,
    private readonly store: RateLimitStore,
    @InjectMetric(RATE_LIMIT_REJECTED_TOTAL) private readonly rejected: Counter<'bucket'>,
  ) {
    super(options, storage, reflector);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, blockDuration, throttler } = props;
    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const res = context.switchToHttp().getResponse<HeaderWriter>();
    const bucket = throttler.name as Bucket;
    const record = await this.store.tryIncrement(`${bucket}:${trackerOf(req)}`, ttl, limit, blockDuration, bucket);
    if (!record) return true;

    res.header('X-RateLimit-Limit', String(limit));
    res.header('X-RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    if (record.isBlocked) {
      res.header('X-RateLimit-Reset', String(record.timeToBlockExpire));
      this.rejected.inc({ bucket });
      throw new RateLimitExceeded(limit, ttl, record.timeToBlockExpire);
    }
    res.header('X-RateLimit-Reset', String(record.timeToExpire));
    return true;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }
}
