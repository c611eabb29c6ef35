import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { ReplyWriter } from '@app/http';
import { Public } from '@app/http';
import { HealthDto, ReadinessDto } from './dto/health.dto';
import { HealthService } from './health.service';

@ApiTags('ops')
@Controller()
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness: 200 while the process is up' })
  @ApiOkResponse({ type: HealthDto })
  getHealth(): Promise<HealthDto> {
    return this.health.health();
  }

  @Get('readyz')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: 200 when the database answers, 503 otherwise or while shutting down',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'Not ready: the database does not answer, or the instance is shutting down',
  })
  async getReadiness(@Res({ passthrough: true }) res: ReplyWriter): Promise<ReadinessDto> {
    const readiness = await this.health.readiness();
    res.status(readiness.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
