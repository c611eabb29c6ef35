import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth, ApiDatabaseUnavailableResponse } from '@app/http';
import { AuditActor } from '../audit/audit-actor.decorator';
import type { AuditActor as Actor } from '../audit/audit.actions';
import { RateLimitFamily } from '../rate-limit/rate-limit.decorators';
import { AuthService } from './auth.service';
import { ReloadAuthQuery } from './dto/reload-auth.dto';
import { ReloadResultDto } from './dto/reload-result.dto';

@ApiTags('ops')
@Controller('ops')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('reload-auth')
  @HttpCode(200)
  @AdminAuth()
  @ApiDatabaseUnavailableResponse()
  @RateLimitFamily('ops')
  @ApiOperation({
    operationId: 'reloadAuth',
    summary: 'Re-read API keys (environment, keys file, database) and plans (PLANS_FILE), on every instance',
  })
  @ApiOkResponse({ type: ReloadResultDto })
  @ApiBadRequestResponse({
    description:
      'Malformed keys or plans file (problem named), one key shared by two tenants, or (production) a key shorter than 16 characters',
  })
  @ApiConflictResponse({
    description:
      'The keys file is missing although its keys are in force (KEYS_FILE_MISSING); pass allowMissingKeysFile=true to remove them',
  })
  reload(@Query() query: ReloadAuthQuery, @AuditActor() actor: Actor): Promise<ReloadResultDto> {
    return this.auth.reloadAll(actor, { allowMissingKeysFile: query.allowMissingKeysFile === 'true' });
  }
}
