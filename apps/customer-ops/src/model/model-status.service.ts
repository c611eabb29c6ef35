import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { ENRICHMENT_RULES_VERSION } from '../leads/enrichment/enricher';
import { ModelStatusDto } from './dto/model.dto';
import { ModelRegistry } from './model-registry.service';

export const MODEL_NAME = 'lead-conversion';
export const LOW_AUC_THRESHOLD = 0.65;

/** The operator's view of lead scoring: the conversion model and the enrichment rules. */
@Injectable()
export class ModelStatusService {
  constructor(
    private readonly config: AppConfig,
    private readonly registry: ModelRegistry,
  ) {}

  status(tenant: string): ModelStatusDto {
    const model = this.registry.active;
    const enrichment = { kind: 'rules' as const, version: ENRICHMENT_RULES_VERSION };
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
        enrichment,
        tenant,
      };
    }
    const ageHours = Math.round(((Date.now() - model.trainedAt.getTime()) / 3_600_000) * 100) / 100;
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
      enrichment,
      tenant,
    };
  }
}
