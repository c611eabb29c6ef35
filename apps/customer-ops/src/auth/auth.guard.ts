import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '@app/config';
import { contextOf, type ContextualRequest, type RequestContext } from '@app/http';
import { AdminKeyVerifier } from './admin-key';
import { AUTH_KIND, AuthKind } from './auth.decorators';
import { InvalidApiKey } from './auth.errors';
import { KeyRegistry } from './key-registry.service';

export const ANONYMOUS_TENANT = 'public';

function header(req: ContextualRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The global guard. Routes declare who may call them with @ApiKeyAuth(), @AdminAuth() or
 * @Public(); a route that declares nothing is treated as a tenant route, so forgetting a
 * decorator can never open a route. The key is read from the header only.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: KeyRegistry,
    private readonly admin: AdminKeyVerifier,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const kind =
      this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [context.getHandler(), context.getClass()]) ??
      'tenant';
    if (kind === 'public') return true;

    const req = context.switchToHttp().getRequest<ContextualRequest>();
    const ctx: RequestContext | undefined = contextOf(req);
    if (!ctx) throw new Error('request context missing: RequestIdMiddleware must run first');

    if (kind === 'admin') {
      this.admin.verify(header(req, 'x-admin-key'));
      ctx.principal = { kind: 'admin', id: 'admin' };
      return true;
    }

    const presented = header(req, 'x-api-key');
    if (presented === undefined) {
      if (this.config.requireApiKey) throw new InvalidApiKey();
      ctx.tenant = ANONYMOUS_TENANT;
      ctx.principal = { kind: 'anonymous', id: ANONYMOUS_TENANT };
      return true;
    }
    const key = this.registry.resolve(presented);
    if (!key) throw new InvalidApiKey();
    ctx.tenant = key.tenant;
    ctx.principal = { kind: 'tenant', id: key.tenant };
    return true;
  }
}
