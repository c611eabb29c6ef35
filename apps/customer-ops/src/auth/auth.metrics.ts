import { defineCounter } from '../metrics/metric-definition';

export const AUTH_FAILURES_TOTAL = defineCounter({
  name: 'auth_failures_total',
  help: 'Requests with a wrong or unknown key, by kind (tenant key or admin key)',
  labelNames: ['kind'] as const,
});
