import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, Clock } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { FEATURE_NAMES, featuresOf, TrainingRow } from './features';
import { rocAuc } from './math/auc';
import { DEFAULT_TRAINING, predictLogistic, trainLogistic } from './math/logistic';
import { stratifiedSplit } from './math/random';
import { ModelNotActivated } from './model.errors';
import { ModelRegistry } from './model-registry.service';
import { ModelRepository } from './model.repository';

export const TRAINING_SEED = 42;
const HOLDOUT_SHARE = 0.2;

/** Per-run overrides of MODEL_MIN_SAMPLES and MODEL_MIN_AUC. */
export interface TrainingOptions {
  minSamples?: number;
  minAuc?: number;
}

export interface TrainingResult {
  version: number;
  trainedAt: string;
  samples: number;
  positives: number;
  auc: number;
  activated: true;
}

/**
 * Trains a logistic-regression conversion model on the rows it is given, evaluates it on a
 * stratified hold-out, and stores and activates it only when it qualifies. Where the rows
 * come from, and how often training runs, is for the caller to decide.
 */
@Injectable()
export class ModelTrainer {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: ModelRepository,
    private readonly registry: ModelRegistry,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async train(examples: readonly TrainingRow[], options: TrainingOptions = {}): Promise<TrainingResult> {
    const minSamples = options.minSamples ?? this.config.model.minSamples;
    const minAuc = options.minAuc ?? this.config.model.minAuc;
    const labels = examples.map((row) => (row.converted ? 1 : 0));
    const samples = examples.length;
    const positives = labels.filter((label) => label === 1).length;
    const numbers = { samples, positives, auc: null as number | null, minSamples, minAuc };

    if (samples < minSamples)
      throw new ModelNotActivated(`${samples} labelled leads, at least ${minSamples} needed`, numbers);
    if (positives === 0 || positives === samples) {
      throw new ModelNotActivated('labelled leads must include both booked and not-booked outcomes', numbers);
    }

    const rows = examples.map(featuresOf);
    const split = stratifiedSplit(labels, HOLDOUT_SHARE, TRAINING_SEED);
    const params = trainLogistic(
      split.train.map((i) => rows[i]),
      split.train.map((i) => labels[i]),
      DEFAULT_TRAINING,
    );
    const rawAuc = rocAuc(
      split.test.map((i) => predictLogistic(params, rows[i])),
      split.test.map((i) => labels[i]),
    );
    if (Number.isNaN(rawAuc)) {
      throw new ModelNotActivated('the hold-out set lacks one of the classes; record more outcomes', numbers);
    }
    const auc = Math.round(rawAuc * 10_000) / 10_000;
    numbers.auc = auc;
    if (auc < minAuc) throw new ModelNotActivated(`hold-out AUC ${auc.toFixed(3)} is below ${minAuc}`, numbers);

    const saved = await this.repository.saveActive({
      trainedAt: this.clock.date(),
      samples,
      positives,
      auc,
      featureNames: JSON.stringify(FEATURE_NAMES),
      params: JSON.stringify(params),
      metrics: JSON.stringify({
        train: split.train.length,
        holdout: split.test.length,
        seed: TRAINING_SEED,
        training: DEFAULT_TRAINING,
      }),
    });
    await this.registry.refresh();
    this.logger.info(
      { event: 'audit', action: 'model_activated', version: saved.version, samples, positives, auc },
      'audit',
    );
    return {
      version: saved.version,
      trainedAt: saved.trainedAt.toISOString(),
      samples,
      positives,
      auc,
      activated: true,
    };
  }
}
