import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '@app/config';
import { AUTH_KIND, AuthKind, contextOf, type ContextualRequest, type RequestContext } from '@app/http';
import { AdminKeyVerifier } from './admin-key';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { InvalidAdminKey, InvalidApiKey } from './auth.errors';
import { KeyRegistry } from './key-registry.service';

export const ANONYMOUS_TENANT = 'public';

/** A header as sent: undefined when absent; an empty value is a value (a wrong key, not "no key"). */
function header(req: ContextualRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The first guard of the chain. Routes declare who may call them with @ApiKeyAuth(),
 * @AdminAuth() or @Public(); a route that declares nothing is treated as a tenant route, so
 * forgetting a decorator can never open a route. The key is read from the header only.
 * Wrong keys are counted per client IP, and an IP past its budget gets 429.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: KeyRegistry,
    private readonly admin: AdminKeyVerifier,
    private readonly failures: AuthFailureThrottle,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind =
      this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [context.getHandler(), context.getClass()]) ??
      'tenant';
    if (kind === 'public') return true;

    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const ctx: RequestContext | undefined = contextOf(req);
    if (!ctx) throw new Error('request context missing: RequestIdMiddleware must run first');
    const ip = req.ip ?? 'unknown';

    if (kind === 'admin') {
      this.failures.assertNotBlocked('admin', ip);
      try {
        this.admin.verify(header(req, 'x-admin-key'));
      } catch (error) {
        if (error instanceof InvalidAdminKey) await this.failures.recordFailure('admin', ip);
        throw error;
      }
      ctx.principal = { kind: 'admin', id: 'admin' };
      ctx.actor = this.admin.fingerprint ?? undefined;
      return true;
    }

    const presented = header(req, 'x-api-key');
    if (presented === undefined) {
      if (this.config.requireApiKey) throw new InvalidApiKey();
      ctx.tenant = ANONYMOUS_TENANT;
      ctx.principal = { kind: 'anonymous', id: ANONYMOUS_TENANT };
      return true;
    }
    this.failures.assertNotBlocked('tenant', ip);
    const key = presented === '' ? null : this.registry.resolve(presented);
    if (!key) {
      await this.failures.recordFailure('tenant', ip);
      throw new InvalidApiKey();
    }
    ctx.tenant = key.tenant;
    ctx.principal = { kind: 'tenant', id: key.tenant };
    return true;
  }
}
