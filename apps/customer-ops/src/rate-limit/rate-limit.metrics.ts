import { defineCounter, defineGauge } from '../metrics/metric-definition';

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
  help: 'Requests rejected with 429, by bucket (ops for /ops/*, default for /v1/*)',
  labelNames: ['bucket'] as const,
});
