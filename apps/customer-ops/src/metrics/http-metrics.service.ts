import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { CompletedRequest, RequestCompletion } from '@app/http';
import { HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL } from './http.metrics';
import { InjectMetric } from '@app/metrics';

type HttpLabel = 'method' | 'endpoint' | 'status';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts every finished request. Labels are bounded whatever clients send: the endpoint is
 * the route template or `unmatched`, unusual methods collapse to `OTHER`.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly completion: RequestCompletion,
    @InjectMetric(HTTP_REQUESTS_TOTAL) private readonly requests: Counter<HttpLabel>,
    @InjectMetric(HTTP_REQUEST_DURATION_SECONDS) private readonly duration: Histogram<HttpLabel>,
  ) {}

  onModuleInit(): void {
    this.completion.subscribe((request) => this.record(request));
  }

  /** Label children by method|endpoint|status: bounded by the route table, saves hashing labels per request. */
  private readonly series = new Map<string, { count: () => void; observe: (seconds: number) => void }>();

  private record(request: CompletedRequest): void {
    const method = KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
    const key = `${method}|${request.route}|${request.status}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { method, endpoint: request.route, status: String(request.status) };
      const counter = this.requests.labels(labels);
      const histogram = this.duration.labels(labels);
      series = { count: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      this.series.set(key, series);
    }
    series.count();
    series.observe(request.durationMs / 1000);
  }
}
