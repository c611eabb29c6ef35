import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { PINO_LOGGER } from '@app/http';
import { InjectMetric } from '@app/metrics';
import { ModelVersionEntity } from './entities/model-version.entity';
import { LogisticModel } from './math/logistic';
import {
  LEAD_MODEL_AUC,
  LEAD_MODEL_SAMPLES,
  LEAD_MODEL_TRAINED_TIMESTAMP_SECONDS,
  LEAD_MODEL_VERSION,
} from './model.metrics';
import { ModelRepository } from './model.repository';

/** How often each instance checks for a newly activated version. */
export const MODEL_POLL_INTERVAL_MS = 2000;

export interface ActiveModel {
  version: number;
  trainedAt: Date;
  samples: number;
  positives: number;
  auc: number;
  featureNames: string[];
  params: LogisticModel;
}

function toActiveModel(row: ModelVersionEntity): ActiveModel {
  return {
    version: row.version,
    trainedAt: row.trainedAt,
    samples: row.samples,
    positives: row.positives,
    auc: row.auc,
    featureNames: JSON.parse(row.featureNames) as string[],
    params: JSON.parse(row.params) as LogisticModel,
  };
}

/**
 * The active conversion model of this instance. Loaded from the database at start-up and
 * re-checked every MODEL_POLL_INTERVAL_MS, so an activation on any instance reaches all of
 * them within seconds, with or without Redis.
 */
@Injectable()
export class ModelRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private current: ActiveModel | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ModelRepository,
    @InjectMetric(LEAD_MODEL_AUC) private readonly aucGauge: Gauge,
    @InjectMetric(LEAD_MODEL_VERSION) private readonly versionGauge: Gauge,
    @InjectMetric(LEAD_MODEL_SAMPLES) private readonly samplesGauge: Gauge,
    @InjectMetric(LEAD_MODEL_TRAINED_TIMESTAMP_SECONDS) private readonly trainedGauge: Gauge,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  get active(): ActiveModel | null {
    return this.current;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), MODEL_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Loads the active version if it is not the one in memory. Never throws. */
  async refresh(): Promise<void> {
    try {
      const version = await this.repository.activeVersionNumber();
      if (version === (this.current?.version ?? null)) return;
      const row = version === null ? null : await this.repository.activeVersion();
      this.use(row ? toActiveModel(row) : null);
    } catch (error) {
      this.logger.warn({ err: error }, 'conversion model refresh failed; keeping the loaded version');
    }
  }

  private use(model: ActiveModel | null): void {
    this.current = model;
    this.aucGauge.set(model?.auc ?? 0);
    this.versionGauge.set(model?.version ?? 0);
    this.samplesGauge.set(model?.samples ?? 0);
    this.trainedGauge.set(model ? model.trainedAt.getTime() / 1000 : 0);
    if (model)
      this.logger.info({ version: model.version, auc: model.auc, samples: model.samples }, 'conversion model loaded');
  }
}
