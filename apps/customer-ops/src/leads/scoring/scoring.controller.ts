import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AdminAuth, ApiDatabaseUnavailableResponse, ApiKeyAuth, CurrentTenant } from '@app/http';
import { RateLimitFamily } from '../../rate-limit/rate-limit.decorators';
import { ModelStatusDto, RetrainDto, RetrainResultDto } from '../dto/scoring.dto';
import { ScoringService } from './scoring.service';

@ApiTags('ops')
@Controller('ops')
@RateLimitFamily('ops')
export class ScoringController {
  constructor(private readonly scoring: ScoringService) {}

  @Get('model-status')
  @ApiKeyAuth()
  @ApiOperation({
    operationId: 'getModelStatus',
    summary: 'The lead-scoring models serving this tenant: conversion model and enrichment rules',
  })
  @ApiOkResponse({ type: ModelStatusDto })
  status(@CurrentTenant() tenant: string): ModelStatusDto {
    return this.scoring.status(tenant);
  }

  @Post('model/retrain')
  @HttpCode(200)
  @AdminAuth()
  @ApiDatabaseUnavailableResponse()
  @ApiOperation({
    operationId: 'retrainModel',
    summary: 'Train a conversion model on recorded outcomes; activate it if it qualifies',
  })
  @ApiOkResponse({ type: RetrainResultDto })
  @ApiUnprocessableEntityResponse({ description: 'Too few samples, one class only, or AUC below the minimum' })
  retrain(@Body() body: RetrainDto): Promise<RetrainResultDto> {
    return this.scoring.retrain(body);
  }
}
