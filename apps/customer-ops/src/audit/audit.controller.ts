import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth, ApiDatabaseUnavailableResponse } from '@app/http';
import { RateLimitFamily } from '../rate-limit/rate-limit.decorators';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditQuery } from './dto/audit.dto';

@ApiTags('ops')
@Controller('ops/audit')
@AdminAuth()
@ApiDatabaseUnavailableResponse()
@RateLimitFamily('ops')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'Admin changes, newest first (tenant, key, reload and usage changes)',
  })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: AuditQuery): Promise<AuditPageDto> {
    return this.audit.list(query);
  }
}
