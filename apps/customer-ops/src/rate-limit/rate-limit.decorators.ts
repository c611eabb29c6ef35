import { SetMetadata } from '@nestjs/common';
import type { RouteFamily } from './limits';

export const RATE_LIMIT_FAMILY = 'rate-limit:family';

export interface RateLimitRoute {
  family: RouteFamily;
  /** The route creates a lead: it also counts against `leadsPerMonth`. */
  leadCapture: boolean;
}

/**
 * Which budget of the caller's plan a route counts against. Routes without it are never
 * limited (probes, metrics, documentation).
 */
export function RateLimitFamily(family: RouteFamily, options: { leadCapture?: boolean } = {}) {
  return SetMetadata(RATE_LIMIT_FAMILY, {
    family,
    leadCapture: options.leadCapture ?? false,
  } satisfies RateLimitRoute);
}
