import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { contextOf, type ContextualRequest } from './request-context';

/*
 * Which kind of caller a route admits, declared on the route. This is the vocabulary every
 * feature with routes uses; the auth guard (apps/customer-ops/src/auth) enforces it. One
 * decorator per kind sets both the guard metadata and the Swagger security scheme, so the
 * documentation cannot drift from enforcement.
 */
export const AUTH_KIND = 'auth:kind';
export type AuthKind = 'tenant' | 'admin' | 'public';

export const TENANT_KEY_SCHEME = 'tenant-key';
export const ADMIN_KEY_SCHEME = 'admin-key';

/**
 * The 429 of every route behind a key: wrong keys from the client are throttled before the key
 * is checked, and every such route counts against a budget of the caller's plan.
 */
const TOO_MANY_REQUESTS =
  'Too many wrong keys from this client (AUTH_RATE_LIMITED), or a window or quota of the plan is used up ' +
  '(RATE_LIMITED, QUOTA_EXHAUSTED); Retry-After says when to try again';

/** Tenant routes: `x-api-key` identifies the tenant (see REQUIRE_API_KEY). The default for undecorated routes. */
export function ApiKeyAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'tenant' satisfies AuthKind),
    ApiSecurity(TENANT_KEY_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Invalid API key, or missing where REQUIRE_API_KEY=true (INVALID_API_KEY)',
    }),
    ApiForbiddenResponse({ description: "The key's tenant is suspended (TENANT_SUSPENDED)" }),
    ApiTooManyRequestsResponse({ description: TOO_MANY_REQUESTS }),
  );
}

/** Operator routes: `x-admin-key` must equal API_ADMIN_KEY; no tenant key is needed. */
export function AdminAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(AUTH_KIND, 'admin' satisfies AuthKind),
    ApiSecurity(ADMIN_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Invalid or missing admin key (INVALID_ADMIN_KEY)' }),
    ApiForbiddenResponse({ description: 'Admin API disabled: set API_ADMIN_KEY (ADMIN_API_DISABLED)' }),
    ApiTooManyRequestsResponse({ description: TOO_MANY_REQUESTS }),
  );
}

/** Open routes: probes, metrics, documentation. Documented with an empty security requirement (no key). */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTH_KIND, 'public' satisfies AuthKind), ApiSecurity({}));
}

/** The tenant the auth guard resolved for this request (`public` for anonymous callers). */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = contextOf(ctx.switchToHttp().getRequest<ContextualRequest>())?.tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without tenant authentication');
  return tenant;
});
