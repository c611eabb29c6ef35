import { defineCounter, defineGauge } from '@app/metrics';

export const RATE_LIMIT_FAIL_OPEN_TOTAL = defineCounter({
  name: 'rate_limit_fail_open_total',
  help: 'Requests served without a rate-limit check because the Redis backend was unreachable or slow',
});

export const RATE_LIMIT_BACKEND_UP = defineGauge({
  name: 'rate_limit_backend_up',
  help: '1 while the rate-limit backend (Redis, or memory when REDIS_URL is unset) answers, 0 during an outage',
});

export const RATE_LIMIT_REJECTED_TOTAL = defineCounter({
  name: 'rate_limit_rejected_total',
  help: 'Requests rejected with 429, by bucket (the route family: ops or default)',
  labelNames: ['bucket'] as const,
});

export const TENANT_REQUESTS_TOTAL = defineCounter({
  name: 'tenant_requests_total',
  help: 'Rate-limited requests by tenant (capped by METRICS_TENANT_LABEL_LIMIT; the rest are _other), route family and result',
  labelNames: ['tenant', 'family', 'result'] as const,
});

export const TENANT_QUOTA_USED_RATIO = defineGauge({
  name: 'tenant_quota_used_ratio',
  help: 'Share of a quota a tenant has used in the current period (0-1), by tenant (capped like tenant_requests_total) and quota',
  labelNames: ['tenant', 'quota'] as const,
});
