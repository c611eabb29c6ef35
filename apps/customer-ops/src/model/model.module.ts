import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeadEntity } from '../leads/entities/lead.entity';
import { ConversionPredictor } from './conversion-predictor.service';
import { ModelVersionEntity } from './entities/model-version.entity';
import { ModelController } from './model.controller';
import { MODEL_METRIC_PROVIDERS } from './model.metrics';
import { ModelRegistry } from './model-registry.service';
import { ModelRepository } from './model.repository';
import { ModelStatusService } from './model-status.service';
import { ModelTrainer } from './model-trainer.service';

/** The lead-conversion model: training, versions, activation across instances, prediction, status. */
@Module({
  imports: [TypeOrmModule.forFeature([ModelVersionEntity, LeadEntity])],
  controllers: [ModelController],
  providers: [
    ModelRepository,
    ModelRegistry,
    ModelTrainer,
    ConversionPredictor,
    ModelStatusService,
    ...MODEL_METRIC_PROVIDERS,
  ],
  exports: [ConversionPredictor],
})
export class ModelModule {}
