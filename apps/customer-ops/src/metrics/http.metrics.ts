import { defineCounter, defineHistogram } from '@app/metrics';

const HTTP_LABELS = ['method', 'endpoint', 'status'] as const;

/** Seconds; from 5 ms to 10 s, dense where an API's latency usually sits. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const HTTP_REQUESTS_TOTAL = defineCounter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route template (endpoint) and status code',
  labelNames: HTTP_LABELS,
});

export const HTTP_REQUEST_DURATION_SECONDS = defineHistogram({
  name: 'http_request_duration_seconds',
  help: 'Time from request arrival to response close, by method, route template and status code',
  labelNames: HTTP_LABELS,
  buckets: HTTP_DURATION_BUCKETS,
});
