import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from './auth.decorators';
import { AuthService } from './auth.service';
import { ReloadResultDto } from './dto/reload-result.dto';

@ApiTags('ops')
@Controller('ops')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('reload-auth')
  @HttpCode(200)
  @AdminAuth()
  @ApiOperation({
    summary: 'Re-read API keys from the environment, the keys file and the database, on every instance',
  })
  @ApiOkResponse({ type: ReloadResultDto })
  @ApiBadRequestResponse({ description: 'Malformed keys file (line named) or one key shared by two tenants' })
  reload(): Promise<ReloadResultDto> {
    return this.auth.reloadAll();
  }
}
