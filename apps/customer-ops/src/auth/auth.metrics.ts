import { defineCounter, defineGauge } from '@app/metrics';

export const AUTH_FAILURES_TOTAL = defineCounter({
  name: 'auth_failures_total',
  help: 'Requests with a wrong or unknown key, by kind (tenant key or admin key)',
  labelNames: ['kind'] as const,
});

/** Distinct tenants with at least one active API key. Set by the key registry on every reload. */
export const API_TENANTS_COUNT = defineGauge({
  name: 'api_tenants_count',
  help: 'Number of distinct tenants with at least one active API key',
});
