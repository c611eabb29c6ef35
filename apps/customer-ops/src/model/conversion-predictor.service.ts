import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Histogram } from 'prom-client';
import { PINO_LOGGER } from '@app/http';
import { InjectMetric } from '@app/metrics';
import { FEATURE_NAMES, featuresOf, LeadFeatureSource } from './features';
import { predictLogistic } from './math/logistic';
import { LEAD_PRED_ERRORS_TOTAL, LEAD_PRED_LATENCY_SECONDS, LEAD_PRED_PROB } from './model.metrics';
import { ModelRegistry } from './model-registry.service';

/**
 * Conversion probability for a lead at capture. Null when no model is active or when the
 * prediction fails: a failure is counted and logged, never passed on to the capture.
 */
@Injectable()
export class ConversionPredictor {
  constructor(
    private readonly registry: ModelRegistry,
    @InjectMetric(LEAD_PRED_PROB) private readonly probabilities: Histogram,
    @InjectMetric(LEAD_PRED_LATENCY_SECONDS) private readonly latency: Histogram,
    @InjectMetric(LEAD_PRED_ERRORS_TOTAL) private readonly errors: Counter,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  predict(lead: LeadFeatureSource): number | null {
    const model = this.registry.active;
    if (!model) return null;
    const started = process.hrtime.bigint();
    try {
      if (model.featureNames.join() !== FEATURE_NAMES.join()) {
        throw new Error(`model version ${model.version} was trained on other features`);
      }
      const probability = Math.round(predictLogistic(model.params, featuresOf(lead)) * 1000) / 1000;
      this.probabilities.observe(probability);
      return probability;
    } catch (error) {
      this.errors.inc();
      this.logger.warn(
        { err: error, modelVersion: model.version },
        'conversion prediction failed; lead stored without it',
      );
      return null;
    } finally {
      this.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
