import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HttpMetrics } from './http-metrics.service';
import { HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL } from './http.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';
import { API_TENANTS_COUNT } from './tenants.metrics';

/**
 * /metrics (default process and Node metrics on), the HTTP request metrics, and the shared
 * gauges other features update. Feature-specific metrics are declared by their features
 * with defineCounter/defineGauge/defineHistogram (see docs/METRICS_GUIDE.md).
 */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers: [
    MetricsTokenGuard,
    HttpMetrics,
    HTTP_REQUESTS_TOTAL.provider,
    HTTP_REQUEST_DURATION_SECONDS.provider,
    API_TENANTS_COUNT.provider,
  ],
  exports: [API_TENANTS_COUNT.provider],
})
export class MetricsModule {}
