import { defineCounter, defineGauge, defineHistogram } from '@app/metrics';

export const LEAD_PRED_PROB = defineHistogram({
  name: 'lead_pred_prob',
  help: 'Conversion probability predicted for captured leads',
  buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
});

export const LEAD_PRED_LATENCY_SECONDS = defineHistogram({
  name: 'lead_pred_latency_seconds',
  help: 'Time to compute one conversion prediction',
  buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
});

export const LEAD_PRED_ERRORS_TOTAL = defineCounter({
  name: 'lead_pred_errors_total',
  help: 'Predictions that failed; the lead was stored without a probability',
});

export const LEAD_MODEL_AUC = defineGauge({
  name: 'lead_model_auc',
  help: 'Hold-out AUC of the active conversion model (0 when none is active)',
});

export const LEAD_MODEL_VERSION = defineGauge({
  name: 'lead_model_version',
  help: 'Version of the active conversion model (0 when none is active)',
});

export const LEAD_MODEL_SAMPLES = defineGauge({
  name: 'lead_model_samples',
  help: 'Labelled leads the active conversion model was trained and evaluated on',
});

export const LEAD_MODEL_TRAINED_TIMESTAMP_SECONDS = defineGauge({
  name: 'lead_model_trained_timestamp_seconds',
  help: 'Unix time the active conversion model was trained (0 when none); age = time() - this',
});

export const MODEL_METRIC_PROVIDERS = [
  LEAD_PRED_PROB.provider,
  LEAD_PRED_LATENCY_SECONDS.provider,
  LEAD_PRED_ERRORS_TOTAL.provider,
  LEAD_MODEL_AUC.provider,
  LEAD_MODEL_VERSION.provider,
  LEAD_MODEL_SAMPLES.provider,
  LEAD_MODEL_TRAINED_TIMESTAMP_SECONDS.provider,
];
