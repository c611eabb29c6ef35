import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AdminAuth, ApiKeyAuth, CurrentTenant } from '../auth/auth.decorators';
import { RateLimitFamily } from '../rate-limit/rate-limit.decorators';
import { ModelStatusDto, RetrainDto, RetrainResultDto } from './dto/model.dto';
import { ModelStatusService } from './model-status.service';
import { ModelTrainer } from './model-trainer.service';

@ApiTags('ops')
@Controller('ops')
@RateLimitFamily('ops')
export class ModelController {
  constructor(
    private readonly trainer: ModelTrainer,
    private readonly modelStatus: ModelStatusService,
  ) {}

  @Get('model-status')
  @ApiKeyAuth()
  @ApiOperation({ summary: 'The lead-scoring models serving this tenant: conversion model and enrichment rules' })
  @ApiOkResponse({ type: ModelStatusDto })
  status(@CurrentTenant() tenant: string): ModelStatusDto {
    return this.modelStatus.status(tenant);
  }

  @Post('model/retrain')
  @HttpCode(200)
  @AdminAuth()
  @ApiOperation({ summary: 'Train a conversion model on recorded outcomes; activate it if it qualifies' })
  @ApiOkResponse({ type: RetrainResultDto })
  @ApiUnprocessableEntityResponse({ description: 'Too few samples, one class only, or AUC below the minimum' })
  retrain(@Body() body: RetrainDto): Promise<RetrainResultDto> {
    return this.trainer.retrain(body);
  }
}
