import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import {
  MintedKeyDto,
  MintKeyDto,
  RevokedKeyDto,
  RevokeKeyQuery,
  TenantKeyParams,
  TenantListDto,
  TenantParams,
} from './dto/tenant-keys.dto';
import { TenantsService } from './tenants.service';

@ApiTags('ops')
@Controller('ops/tenants')
@AdminAuth()
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @ApiOperation({ summary: 'Tenants and their active keys (ids, sources, fingerprints; never key material)' })
  @ApiOkResponse({ type: TenantListDto })
  list(): TenantListDto {
    return this.tenants.list();
  }

  @Post(':tenant/keys')
  @ApiOperation({ summary: 'Mint a key for a tenant; the key is shown once and works on every instance at once' })
  @ApiCreatedResponse({ type: MintedKeyDto })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  mint(@Param() params: TenantParams, @Body() body: MintKeyDto): Promise<MintedKeyDto> {
    return this.tenants.mint(params.tenant, body.expiresInDays);
  }

  @Delete(':tenant/keys/:id')
  @ApiOperation({ summary: 'Revoke a minted key, optionally after a grace period' })
  @ApiOkResponse({ type: RevokedKeyDto })
  @ApiNotFoundResponse({ description: 'Unknown tenant or key' })
  @ApiConflictResponse({ description: 'The key comes from the environment or the keys file' })
  revoke(@Param() params: TenantKeyParams, @Query() query: RevokeKeyQuery): Promise<RevokedKeyDto> {
    return this.tenants.revoke(params.tenant, params.id, query.graceSeconds);
  }
}
