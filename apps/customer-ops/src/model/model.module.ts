import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversionPredictor } from './conversion-predictor.service';
import { ModelVersionEntity } from './entities/model-version.entity';
import { MODEL_METRIC_PROVIDERS } from './model.metrics';
import { ModelRegistry } from './model-registry.service';
import { ModelRepository } from './model.repository';
import { ModelStatusService } from './model-status.service';
import { ModelTrainer } from './model-trainer.service';

/**
 * The lead-conversion model: training on the rows it is given, stored versions, activation
 * across instances, prediction and status. It knows nothing of how leads are stored; leads/
 * supplies the training rows and serves the routes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ModelVersionEntity])],
  providers: [
    ModelRepository,
    ModelRegistry,
    ModelTrainer,
    ConversionPredictor,
    ModelStatusService,
    ...MODEL_METRIC_PROVIDERS,
  ],
  exports: [ConversionPredictor, ModelTrainer, ModelStatusService],
})
export class ModelModule {}
