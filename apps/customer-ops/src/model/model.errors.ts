import { DomainError } from '@app/http';

export interface TrainingNumbers {
  samples: number;
  positives: number;
  auc: number | null;
  minSamples: number;
  minAuc: number;
}

/** Training ran (or could not start) but the new version does not qualify; the active one stays. */
export class ModelNotActivated extends DomainError {
  constructor(reason: string, numbers: TrainingNumbers) {
    super(
      'unprocessable',
      'MODEL_NOT_ACTIVATED',
      `Model not activated: ${reason} (samples ${numbers.samples}, positives ${numbers.positives}, ` +
        `auc ${numbers.auc === null ? 'n/a' : numbers.auc.toFixed(3)}); the active version stays`,
      [{ reason, ...numbers }],
    );
  }
}
