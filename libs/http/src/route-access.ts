import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { contextOf, type ContextualRequest } from '@app/http';

export const AUTH_KIND = 'auth:kind';
export type AuthKind = 'tenant' | 'admin' | 'public';

export const TENANT_KEY_SCHEME = 'tenant-key';
export const ADMIN_KEY_SCHEME = 'admin-key';

/** Tenant routes: `x-api-key` identifies the tenant (see REQUIRE_API_KEY). The default for undecorated routes. */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'tenant' satisfies AuthKind),
    ApiSecurity(TENANT_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Invalid or missing API key' }),
  );
}

/** Operator routes: `x-admin-key` must equal API_ADMIN_KEY; no tenant key is needed. */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'admin' satisfies AuthKind),
    ApiSecurity(ADMIN_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Invalid or missing admin key' }),
    ApiForbiddenResponse({ description: 'Admin API disabled: set API_ADMIN_KEY' }),
  );
}

/** Open routes: probes, metrics, documentation. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(AUTH_KIND, 'public' satisfies AuthKind);
}

/** The tenant the auth guard resolved for this request (`public` for anonymous callers). */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = contextOf(ctx.switchToHttp().getRequest<ContextualRequest>())?.tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without tenant authentication');
  return tenant;
});
