import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModelModule } from '../model/model.module';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { LeadOutcomeEntity } from './entities/lead-outcome.entity';
import { LeadEntity } from './entities/lead.entity';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { LeadSearchService } from './lead-search.service';
import { LeadsController } from './leads.controller';
import { LEADS_METRIC_PROVIDERS, LeadsMetrics } from './leads.metrics';
import { LeadsRepository } from './leads.repository';
import { LeadsService } from './leads.service';
import { OutcomesService } from './outcomes.service';
import { ScoringController } from './scoring/scoring.controller';
import { ScoringService } from './scoring/scoring.service';

/** Lead capture with enrichment, outcomes, listing, search, analytics and scoring (retrain, status). */
@Module({
  imports: [TypeOrmModule.forFeature([LeadEntity, LeadOutcomeEntity, IdempotencyKeyEntity]), ModelModule],
  controllers: [LeadsController, ScoringController],
  providers: [
    LeadsRepository,
    IdempotencyRepository,
    IdempotencyService,
    LeadsService,
    LeadSearchService,
    OutcomesService,
    ScoringService,
    LeadsMetrics,
    ...LEADS_METRIC_PROVIDERS,
  ],
  exports: [LeadsService],
})
export class LeadsModule {}
