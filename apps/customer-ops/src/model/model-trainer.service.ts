import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '@app/config';
import { PINO_LOGGER } from '@app/http';
import { RetrainDto, RetrainResultDto } from './dto/model.dto';
import { FEATURE_NAMES, featuresOf } from './features';
import { rocAuc } from './math/auc';
import { DEFAULT_TRAINING, predictLogistic, trainLogistic } from './math/logistic';
import { stratifiedSplit } from './math/random';
import { ModelNotActivated } from './model.errors';
import { ModelRegistry } from './model-registry.service';
import { ModelRepository } from './model.repository';

export const TRAINING_SEED = 42;
const HOLDOUT_SHARE = 0.2;

/**
 * Trains a logistic-regression conversion model on every tenant's labelled leads, evaluates
 * it on a stratified hold-out, and activates it only when it qualifies. One run at a time.
 */
@Injectable()
export class ModelTrainer {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly repository: ModelRepository,
    private readonly registry: ModelRegistry,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  retrain(options: RetrainDto = {}): Promise<RetrainResultDto> {
    const run = this.running.then(() => this.train(options));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async train(options: RetrainDto): Promise<RetrainResultDto> {
    const minSamples = options.minSamples ?? this.config.model.minSamples;
    const minAuc = options.minAuc ?? this.config.model.minAuc;
    const leads = await this.repository.labelledLeads();
    const labels = leads.map((lead) => (lead.outcome === 'booked' ? 1 : 0));
    const samples = leads.length;
    const positives = labels.filter((label) => label === 1).length;
    const numbers = { samples, positives, auc: null as number | null, minSamples, minAuc };

    if (samples < minSamples)
      throw new ModelNotActivated(`${samples} labelled leads, at least ${minSamples} needed`, numbers);
    if (positives === 0 || positives === samples) {
      throw new ModelNotActivated('labelled leads must include both booked and not-booked outcomes', numbers);
    }

    const rows = leads.map(featuresOf);
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
      trainedAt: new Date(),
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
