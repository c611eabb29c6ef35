import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, CurrentTenant } from '../auth/auth.decorators';
import { ModelStatusDto } from './dto/model-status.dto';
import { ModelStatusService } from './model-status.service';

@ApiTags('ops')
@Controller('ops')
export class ModelStatusController {
  constructor(private readonly modelStatus: ModelStatusService) {}

  @Get('model-status')
  @ApiKeyAuth()
  @ApiOperation({ summary: 'The lead-scoring model serving this tenant' })
  @ApiOkResponse({ type: ModelStatusDto })
  get(@CurrentTenant() tenant: string): ModelStatusDto {
    return this.modelStatus.status(tenant);
  }
}
