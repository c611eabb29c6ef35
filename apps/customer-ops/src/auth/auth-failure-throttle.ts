import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AppConfig, Clock, RateLimit } from '@app/config';
import { InjectMetric } from '@app/metrics';
import { RateLimitStore } from '../rate-limit/rate-limit.store';
import { AuthFailuresThrottled } from './auth.errors';
import { AUTH_FAILURES_TOTAL } from './auth.metrics';

export type AuthFailureKind = 'tenant' | 'admin';

/** Past this many blocked addresses, expired blocks are swept before adding one. */
const MAX_BLOCKED_ADDRESSES = 10_000;

/**
 * Throttles key guessing per client IP: past AUTH_FAILURE_LIMIT wrong or unknown tenant keys
 * (ADMIN_AUTH_FAILURE_LIMIT wrong admin keys) in a window, the IP gets 429 until the window
 * ends, even with a right key. Failures are counted in the shared rate-limit store; the block
 * itself is remembered here, so successful requests cost one Map lookup.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly blockedUntil: Record<AuthFailureKind, Map<string, number>> = {
    tenant: new Map(),
    admin: new Map(),
  };
  private readonly limits: Record<AuthFailureKind, RateLimit>;

  constructor(
    config: AppConfig,
    private readonly store: RateLimitStore,
    private readonly clock: Clock,
    @InjectMetric(AUTH_FAILURES_TOTAL) private readonly failures: Counter<'kind'>,
  ) {
    this.limits = { tenant: config.rateLimit.authFailures, admin: config.rateLimit.adminAuthFailures };
  }

  /** Throws 429 while this IP is blocked for `kind`. */
  assertNotBlocked(kind: AuthFailureKind, ip: string): void {
    const until = this.blockedUntil[kind].get(ip);
    if (until === undefined) return;
    const now = this.clock.now();
    if (until <= now) {
      this.blockedUntil[kind].delete(ip);
      return;
    }
    throw new AuthFailuresThrottled(Math.max(1, Math.ceil((until - now) / 1000)));
  }

  /** Counts a failed attempt; throws 429 when it is one too many, otherwise returns (the caller throws 401). */
  async recordFailure(kind: AuthFailureKind, ip: string): Promise<void> {
    this.failures.inc({ kind });
    const limit = this.limits[kind];
    const now = this.clock.now();
    const decision = await this.store.consume({
      subject: `ip:${ip}`,
      family: kind === 'tenant' ? 'auth-tenant' : 'auth-admin',
      windows: [{ name: 'auth', limit: limit.limit, windowSeconds: Math.round(limit.ttlMs / 1000) }],
      quotas: [],
      now,
    });
    if (!decision || decision.allowed) return;
    const retryAfter = decision.retryAfterSeconds ?? 1;
    const blocked = this.blockedUntil[kind];
    if (blocked.size >= MAX_BLOCKED_ADDRESSES) {
      for (const [address, until] of blocked) if (until <= now) blocked.delete(address);
    }
    blocked.set(ip, now + retryAfter * 1000);
    throw new AuthFailuresThrottled(retryAfter);
  }
}
