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
import { Counter, Gauge } from 'prom-client';
import { AppConfig, Clock } from '@app/config';
import { contextOf, ContextualRequest, DomainError } from '@app/http';
import { InjectMetric } from '@app/metrics';
import { quotaAppliesTo, quotaExhaustedMessage, QuotaName } from './limits';
import { LimitDecision } from './limiter-storage';
import { RATE_LIMIT_FAMILY, RateLimitRoute } from './rate-limit.decorators';
import { rateLimitHeaders } from './rate-limit-headers';
import { RATE_LIMIT_REJECTED_TOTAL, TENANT_QUOTA_USED_RATIO, TENANT_REQUESTS_TOTAL } from './rate-limit.metrics';
import { RateLimitStore } from './rate-limit.store';
import { limitsOf } from './request-limits';
import { TenantLabels } from './tenant-labels';

/** Express' response and Fastify's reply both set headers with header(name, value). */
interface HeaderWriter {
  header(name: string, value: string): unknown;
}

/** Budgets are per caller: a tenant, the operator (admin key), or an anonymous client IP. */
export function trackerOf(req: ContextualRequest): string {
  const principal = contextOf(req)?.principal;
  if (principal?.kind === 'tenant') return `tenant:${principal.id}`;
  if (principal?.kind === 'admin') return 'admin';
  return `ip:${req.ip ?? 'unknown'}`;
}

export class RateLimitExceeded extends DomainError {
  constructor(limit: number, windowSeconds: number, headers: Record<string, string>) {
    super(
      'too_many_requests',
      'RATE_LIMITED',
      `Rate limit exceeded: ${limit} requests per ${windowSeconds}s`,
      undefined,
      headers,
    );
  }
}

export class QuotaExhausted extends DomainError {
  constructor(name: QuotaName, headers: Record<string, string>) {
    super('too_many_requests', 'QUOTA_EXHAUSTED', quotaExhaustedMessage(name), undefined, headers);
  }
}

/**
 * @nestjs/throttler's guard with our policy: the route's family (from @RateLimitFamily) of the
 * caller's plan (set on the request by the tenants guard) is checked and counted in one call:
 * every window and every quota that applies. Rate-limit headers on every limited response,
 * 429 in the standard envelope, and no headers at all while the backend fails open.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly labels: TenantLabels;

  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage, // unused: counting goes through RateLimitStore
    reflector: Reflector,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly store: RateLimitStore,
    @InjectMetric(RATE_LIMIT_REJECTED_TOTAL) private readonly rejected: Counter<'bucket'>,
    @InjectMetric(TENANT_REQUESTS_TOTAL) private readonly requests: Counter<'tenant' | 'family' | 'result'>,
    @InjectMetric(TENANT_QUOTA_USED_RATIO) private readonly quotaUse: Gauge<'tenant' | 'quota'>,
  ) {
    super(options, storage, reflector);
    this.labels = new TenantLabels(config.metricsTenantLabelLimit);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context } = props;
    const route = this.reflector.getAllAndOverride<RateLimitRoute | undefined>(RATE_LIMIT_FAMILY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const ctx = contextOf(req);
    const limits = ctx && limitsOf(ctx);
    if (!route || !limits || !this.config.rateLimit.enabled) return true;

    const { windows, quotas } = limits[route.family];
    const decision = await this.store.consume({
      subject: trackerOf(req),
      family: route.family,
      windows,
      quotas: quotas.filter((quota) => quotaAppliesTo(quota.name, { isLeadCapture: route.leadCapture })),
      now: this.clock.now(),
    });
    if (!decision) return true;

    const headers = rateLimitHeaders(decision);
    const res = context.switchToHttp().getResponse<HeaderWriter>();
    for (const [name, value] of Object.entries(headers)) res.header(name, value);
    this.count(ctx.principal, route, decision);
    if (decision.allowed) return true;

    this.rejected.inc({ bucket: route.family });
    if (decision.refusedBy?.kind === 'quota') throw new QuotaExhausted(decision.refusedBy.name as QuotaName, headers);
    const window = decision.windows.find((w) => w.name === decision.refusedBy?.name) ?? decision.windows[0];
    throw new RateLimitExceeded(window.limit, window.windowSeconds, headers);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  private count(
    principal: { kind: string; id: string } | undefined,
    route: RateLimitRoute,
    decision: LimitDecision,
  ): void {
    const tenant = principal?.kind === 'admin' ? '_admin' : this.labels.of(principal?.id ?? 'public');
    const result = decision.allowed ? 'allowed' : decision.refusedBy?.kind === 'quota' ? 'quota_exhausted' : 'limited';
    this.requests.inc({ tenant, family: route.family, result });
    for (const quota of decision.quotas) this.quotaUse.set({ tenant, quota: quota.name }, quota.used / quota.limit);
  }
}
