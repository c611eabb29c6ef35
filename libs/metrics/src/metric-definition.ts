import { Inject, Provider } from '@nestjs/common';
import { getToken, makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * A metric declared by the feature that owns it. The owner lists `provider` in its module
 * and injects the metric with `@InjectMetric(DEFINITION)`; nothing else creates a metric of
 * that name, so each name has exactly one owner and one help text.
 */
export interface MetricDefinition<M> {
  readonly name: string;
  readonly provider: Provider;
  /** Phantom field that carries the metric's type (Counter<'intent'>, …) to InjectMetric users. */
  readonly type?: M;
}

export function defineCounter<L extends string = never>(config: CounterConfiguration<L>): MetricDefinition<Counter<L>> {
  return { name: config.name, provider: makeCounterProvider(config as CounterConfiguration<string>) };
}

export function defineGauge<L extends string = never>(config: GaugeConfiguration<L>): MetricDefinition<Gauge<L>> {
  return { name: config.name, provider: makeGaugeProvider(config as GaugeConfiguration<string>) };
}

export function defineHistogram<L extends string = never>(
  config: HistogramConfiguration<L>,
): MetricDefinition<Histogram<L>> {
  return { name: config.name, provider: makeHistogramProvider(config as HistogramConfiguration<string>) };
}

/** Injects the metric a definition declares. */
export function InjectMetric(definition: MetricDefinition<unknown>): ParameterDecorator & PropertyDecorator {
  return Inject(getToken(definition.name));
}
