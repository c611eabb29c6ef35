import type { RequestContext } from '@app/http';
import type { PlanLimits } from './limits';

const LIMITS = new WeakMap<RequestContext, PlanLimits>();

/** Sets the limits the rate-limit guard applies to this request (by the guard that knows the caller's plan). */
export function assignLimits(context: RequestContext, limits: PlanLimits): void {
  LIMITS.set(context, limits);
}

export function limitsOf(context: RequestContext): PlanLimits | undefined {
  return LIMITS.get(context);
}
