import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { AdminAuth, ApiDatabaseUnavailableResponse } from '@app/http';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AuditActor } from '../audit/audit-actor.decorator';
import type { AuditActor as Actor } from '../audit/audit.actions';
import { RateLimitFamily } from '../rate-limit/rate-limit.decorators';
import {
  CreatedTenantDto,
  CreateTenantDto,
  EraseTenantQuery,
  ErasedTenantDto,
  TenantDetailDto,
  TenantDto,
  UpdateTenantDto,
} from './dto/tenant.dto';
import {
  MintedKeyDto,
  MintKeyDto,
  RevokedKeyDto,
  RevokeKeyQuery,
  TenantKeyParams,
  TenantListDto,
  TenantParams,
} from './dto/tenant-keys.dto';
import { TenantUsageDto, UsageResetDto } from './dto/tenant-usage.dto';
import { TenantKeysService } from './tenant-keys.service';
import { TenantUsageService } from './tenant-usage.service';
import { TenantsService } from './tenants.service';

/** The 503 of the usage routes, which read the counters in Redis. */
const USAGE_UNAVAILABLE =
  'Redis cannot be reached, so the counters cannot be read or reset (USAGE_UNAVAILABLE), or the database cannot ' +
  '(DATABASE_UNAVAILABLE)';

@ApiTags('ops')
@Controller('ops/tenants')
@AdminAuth()
@ApiDatabaseUnavailableResponse()
@RateLimitFamily('ops')
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly keys: TenantKeysService,
    private readonly usageService: TenantUsageService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listTenants',
    summary: 'Tenants with status, plan and active keys (ids, sources, fingerprints; never key material)',
  })
  @ApiOkResponse({ type: TenantListDto })
  list(): Promise<TenantListDto> {
    return this.tenants.list();
  }

  @Post()
  @ApiOperation({
    operationId: 'createTenant',
    summary: 'Onboard a tenant on a plan, optionally minting its first key (shown once)',
  })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  @ApiBadRequestResponse({ description: 'Bad tenant name or unknown plan' })
  @ApiConflictResponse({ description: 'The tenant exists' })
  create(@Body() body: CreateTenantDto, @AuditActor() actor: Actor): Promise<CreatedTenantDto> {
    return this.tenants.create(body, actor);
  }

  @Get(':tenant')
  @ApiOperation({ operationId: 'getTenant', summary: 'A tenant with its keys and the effective limits of its plan' })
  @ApiOkResponse({ type: TenantDetailDto })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  get(@Param() params: TenantParams): Promise<TenantDetailDto> {
    return this.tenants.get(params.tenant);
  }

  @Patch(':tenant')
  @ApiOperation({
    operationId: 'updateTenant',
    summary: 'Change plan, display name, status (suspend / resume) or per-tenant limit overrides',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiBadRequestResponse({ description: 'Unknown plan or malformed limits' })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  update(@Param() params: TenantParams, @Body() body: UpdateTenantDto, @AuditActor() actor: Actor): Promise<TenantDto> {
    return this.tenants.update(params.tenant, body, actor);
  }

  @Delete(':tenant')
  @ApiOperation({
    operationId: 'eraseTenant',
    summary: 'Offboard a tenant: erase its leads, outcomes, Idempotency-Keys and keys (?erase=true)',
  })
  @ApiOkResponse({ type: ErasedTenantDto })
  @ApiBadRequestResponse({ description: 'erase=true missing' })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  @ApiConflictResponse({ description: 'The tenant has keys in the environment or the keys file' })
  erase(
    @Param() params: TenantParams,
    @Query() query: EraseTenantQuery,
    @AuditActor() actor: Actor,
  ): Promise<ErasedTenantDto> {
    return this.tenants.erase(params.tenant, query.erase === 'true', actor);
  }

  @Get(':tenant/usage')
  @ApiOperation({
    operationId: 'getTenantUsage',
    summary: 'How much of each window and quota of its plan the tenant has used',
  })
  @ApiOkResponse({ type: TenantUsageDto })
  @ApiServiceUnavailableResponse({ description: USAGE_UNAVAILABLE })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  usage(@Param() params: TenantParams): Promise<TenantUsageDto> {
    return this.usageService.usage(params.tenant);
  }

  @Delete(':tenant/usage')
  @ApiOperation({ operationId: 'resetTenantUsage', summary: 'Reset the tenant’s window and quota counters' })
  @ApiOkResponse({ type: UsageResetDto })
  @ApiServiceUnavailableResponse({ description: USAGE_UNAVAILABLE })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  resetUsage(@Param() params: TenantParams, @AuditActor() actor: Actor): Promise<UsageResetDto> {
    return this.usageService.reset(params.tenant, actor);
  }

  @Post(':tenant/keys')
  @ApiOperation({
    operationId: 'mintKey',
    summary: 'Mint a key for a tenant; the key is shown once and works on every instance at once',
  })
  @ApiCreatedResponse({ type: MintedKeyDto })
  @ApiNotFoundResponse({ description: 'Unknown tenant' })
  mint(@Param() params: TenantParams, @Body() body: MintKeyDto, @AuditActor() actor: Actor): Promise<MintedKeyDto> {
    return this.keys.mint(params.tenant, body.expiresInDays, actor);
  }

  @Delete(':tenant/keys/:id')
  @ApiOperation({
    operationId: 'revokeKey',
    summary: 'Revoke a minted key, optionally after a grace period; again with less grace shortens it',
  })
  @ApiOkResponse({ type: RevokedKeyDto })
  @ApiNotFoundResponse({ description: 'Unknown tenant or key' })
  @ApiConflictResponse({ description: 'The key comes from the environment or the keys file' })
  revoke(
    @Param() params: TenantKeyParams,
    @Query() query: RevokeKeyQuery,
    @AuditActor() actor: Actor,
  ): Promise<RevokedKeyDto> {
    return this.keys.revoke(params.tenant, params.id, query.graceSeconds ?? 0, actor);
  }
}
