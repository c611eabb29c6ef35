import { Injectable } from '@nestjs/common';
import { ModelStatusService } from '../../model/model-status.service';
import { ModelTrainer } from '../../model/model-trainer.service';
import { ModelStatusDto, RetrainDto, RetrainResultDto } from '../dto/scoring.dto';
import { ENRICHMENT_RULES_VERSION } from '../enrichment/enricher';
import { LeadsRepository } from '../leads.repository';

/**
 * Lead scoring as operators see it: retraining the conversion model on every tenant's
 * labelled leads (the model is shared), one run at a time, and the status of both scorers
 * (the conversion model and the enrichment rules).
 */
@Injectable()
export class ScoringService {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly leads: LeadsRepository,
    private readonly trainer: ModelTrainer,
    private readonly modelStatus: ModelStatusService,
  ) {}

  retrain(options: RetrainDto = {}): Promise<RetrainResultDto> {
    const run = this.running.then(async () => this.trainer.train(await this.leads.trainingRows(), options));
    this.running = run.catch(() => undefined);
    return run;
  }

  status(tenant: string): ModelStatusDto {
    return {
      ...this.modelStatus.status(),
      enrichment: { kind: 'rules', version: ENRICHMENT_RULES_VERSION },
      tenant,
    };
  }
}
