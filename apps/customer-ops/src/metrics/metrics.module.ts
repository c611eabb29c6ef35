import { Global, Inject, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import type { Logger } from 'pino';
import { collectDefaultMetrics, register, Registry } from 'prom-client';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { HttpMetrics } from './http-metrics.service';
import { HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL } from './http.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';

/** The default metric that names the exact Node.js version: exported only with METRICS_DEFAULT=true. */
const NODE_VERSION_METRIC = 'nodejs_version_info';

/** prom-client's default process and Node metrics, created once per process (they observe the process). */
let processMetrics: Registry | null = null;

/**
 * Puts the default metrics in the registry /metrics serves: all of them with METRICS_DEFAULT=true,
 * otherwise all but nodejs_version_info (the dashboards and alerts in deploy/ use some of the
 * others). Idempotent, so apps booted one after another in one process agree with their config.
 */
function exportDefaultMetrics(includeNodeVersion: boolean): void {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  for (const { name } of processMetrics.getMetricsAsArray()) {
    const wanted = includeNodeVersion || name !== NODE_VERSION_METRIC;
    const exported = register.getSingleMetric(name) !== undefined;
    const metric = processMetrics.getSingleMetric(name);
    if (wanted && !exported && metric) register.registerMetric(metric);
    if (!wanted && exported) register.removeSingleMetric(name);
  }
}

/**
 * /metrics (default process and Node metrics, see exportDefaultMetrics) and the HTTP request
 * metrics. Every other metric is declared by the feature that owns it, with
 * defineCounter/defineGauge/defineHistogram from @app/metrics (see docs/METRICS_GUIDE.md).
 */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      // Registered by this module, per METRICS_DEFAULT (the library's switch is all or nothing).
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [MetricsTokenGuard, HttpMetrics, HTTP_REQUESTS_TOTAL.provider, HTTP_REQUEST_DURATION_SECONDS.provider],
})
export class MetricsModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    exportDefaultMetrics(this.config.metricsDefault);
  }

  onApplicationBootstrap(): void {
    if (this.config.isProduction && !this.config.metricsToken) {
      this.logger.warn(
        'GET /metrics is open (NODE_ENV=production without METRICS_TOKEN): anyone who reaches the port can ' +
          'read it; set METRICS_TOKEN (and give Prometheus the same token) unless the port is private',
      );
    }
  }
}
