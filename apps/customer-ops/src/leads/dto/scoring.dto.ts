import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import type { ConversionModelStatus, ModelHealth } from '../../model/model-status.service';
import type { TrainingOptions, TrainingResult } from '../../model/model-trainer.service';

export class RetrainDto implements TrainingOptions {
  @ApiPropertyOptional({ minimum: 2, maximum: 1_000_000, description: 'Overrides MODEL_MIN_SAMPLES for this run' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1_000_000)
  minSamples?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Overrides MODEL_MIN_AUC for this run' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  minAuc?: number;
}

export class RetrainResultDto implements TrainingResult {
  @ApiProperty({ example: 3 })
  version: number;

  @ApiProperty({ type: String, format: 'date-time' })
  trainedAt: string;

  @ApiProperty({ example: 412, description: 'Labelled leads (booked vs ghosted/unqualified/spam)' })
  samples: number;

  @ApiProperty({ example: 190 })
  positives: number;

  @ApiProperty({ example: 0.87, description: 'Hold-out AUC on a stratified 20% split' })
  auc: number;

  @ApiProperty({ example: true })
  activated: true;
}

export class EnrichmentInfoDto {
  @ApiProperty({ example: 'rules' })
  kind: 'rules';

  @ApiProperty({ example: '1.0.0' })
  version: string;
}

export class ModelStatusDto implements ConversionModelStatus {
  @ApiProperty({ description: 'Whether a conversion model is active' })
  loaded: boolean;

  @ApiProperty({ example: 'lead-conversion' })
  model: string;

  @ApiProperty({ nullable: true, type: Number, example: 3 })
  version: number | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  trainedAt: string | null;

  @ApiProperty({ nullable: true, type: Number, example: 412 })
  samples: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 0.87 })
  auc: number | null;

  @ApiProperty({ nullable: true, type: Number, example: 5.2 })
  ageHours: number | null;

  @ApiProperty({ enum: ['ok', 'no_model', 'warning_low_auc', 'warning_stale'] })
  health: ModelHealth;

  @ApiProperty({ type: EnrichmentInfoDto })
  enrichment: EnrichmentInfoDto;

  @ApiProperty({ example: 'EXPERTCO', description: "The caller's tenant" })
  tenant: string;
}
