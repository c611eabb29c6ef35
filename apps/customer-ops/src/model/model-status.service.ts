import { Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@app/config';
import { ModelRegistry } from './model-registry.service';

export const MODEL_NAME = 'lead-conversion';
export const LOW_AUC_THRESHOLD = 0.65;

export type ModelHealth = 'ok' | 'no_model' | 'warning_low_auc' | 'warning_stale';

export interface ConversionModelStatus {
  loaded: boolean;
  model: string;
  version: number | null;
  trainedAt: string | null;
  samples: number | null;
  auc: number | null;
  ageHours: number | null;
  health: ModelHealth;
}

/** The active conversion model as an operator sees it: version, quality and age. */
@Injectable()
export class ModelStatusService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly registry: ModelRegistry,
  ) {}

  status(): ConversionModelStatus {
    const model = this.registry.active;
    if (!model) {
      return {
        loaded: false,
        model: MODEL_NAME,
        version: null,
        trainedAt: null,
        samples: null,
        auc: null,
        ageHours: null,
        health: 'no_model',
      };
    }
    const ageHours = Math.round(((this.clock.now() - model.trainedAt.getTime()) / 3_600_000) * 100) / 100;
    const health =
      model.auc < LOW_AUC_THRESHOLD
        ? 'warning_low_auc'
        : ageHours > this.config.model.staleHours
          ? 'warning_stale'
          : 'ok';
    return {
      loaded: true,
      model: MODEL_NAME,
      version: model.version,
      trainedAt: model.trainedAt.toISOString(),
      samples: model.samples,
      auc: model.auc,
      ageHours,
      health,
    };
  }
}
