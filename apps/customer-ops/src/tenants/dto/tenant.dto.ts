import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsStorableText } from '../../leads/dto/text-validators';
import { QUOTA_NAMES } from '../../rate-limit/limits';
import { TENANT_STATUSES, TenantStatus } from '../entities/tenant.entity';
import { IsTenantName, TenantKeyDto } from './tenant-keys.dto';

const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class CreateTenantDto {
  @ApiProperty({ example: 'ACME', description: 'Upper-case letters, digits, _ or - (lower case is upper-cased)' })
  @IsString()
  @IsTenantName()
  tenant: string;

  @ApiPropertyOptional({ example: 'pro', default: 'default', description: 'A plan of PLANS_FILE, or default' })
  @IsOptional()
  @IsString()
  @Matches(PLAN_NAME, { message: 'plan must be a plan name' })
  plan?: string;

  @ApiPropertyOptional({ example: 'Acme Roofing', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsStorableText()
  displayName?: string;

  @ApiPropertyOptional({ default: false, description: 'Also mint a key; its plaintext is in the response, once' })
  @IsOptional()
  @IsBoolean()
  mintKey?: boolean;
}

export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'pro' })
  @IsOptional()
  @IsString()
  @Matches(PLAN_NAME, { message: 'plan must be a plan name' })
  plan?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsStorableText()
  displayName?: string;

  @ApiPropertyOptional({ enum: TENANT_STATUSES, description: 'suspended: every key of the tenant gets 403' })
  @IsOptional()
  @IsIn(TENANT_STATUSES, { message: `status must be one of: ${TENANT_STATUSES.join(', ')}` })
  status?: TenantStatus;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Overrides of the plan for this tenant alone, in the shape of one plan: { "default": { "windows": [...], "quotas": {...} } }; null removes them',
  })
  @IsOptional()
  @IsObject({ message: 'limits must be an object in the shape of one plan, or null' })
  limits?: Record<string, unknown> | null;
}

export class EraseTenantQuery {
  @ApiPropertyOptional({ enum: ['true'], description: 'Required: confirms that all of the tenant’s data is erased' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'erase must be true or false' })
  erase?: string;
}

export class WindowLimitDto {
  @ApiProperty({ example: 'burst' })
  name: string;

  @ApiProperty({ example: 10 })
  limit: number;

  @ApiProperty({ example: 1 })
  windowSeconds: number;
}

export class QuotaLimitDto {
  @ApiProperty({ enum: QUOTA_NAMES })
  name: string;

  @ApiProperty({ example: 5000 })
  limit: number;
}

export class FamilyLimitsDto {
  @ApiProperty({ type: [WindowLimitDto] })
  windows: WindowLimitDto[];

  @ApiProperty({ type: [QuotaLimitDto] })
  quotas: QuotaLimitDto[];
}

export class EffectiveLimitsDto {
  @ApiProperty({ type: FamilyLimitsDto, description: 'Budget of /v1/* routes' })
  default: FamilyLimitsDto;

  @ApiProperty({ type: FamilyLimitsDto, description: 'Budget of /ops/* routes' })
  ops: FamilyLimitsDto;
}

export class TenantDto {
  @ApiProperty({ example: 'ACME' })
  tenant: string;

  @ApiProperty({ enum: TENANT_STATUSES })
  status: TenantStatus;

  @ApiProperty({ example: 'pro' })
  plan: string;

  @ApiProperty({ type: String, nullable: true })
  displayName: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class TenantDetailDto extends TenantDto {
  @ApiProperty({ type: [TenantKeyDto] })
  keys: TenantKeyDto[];

  @ApiProperty({ type: EffectiveLimitsDto, description: 'The plan with this tenant’s overrides applied' })
  limits: EffectiveLimitsDto;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'This tenant’s overrides' })
  overrides: Record<string, unknown> | null;
}

export class CreatedKeyDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ description: 'Shown once; only its digest is stored' })
  key: string;

  @ApiProperty({ example: 'sha256:1a2b3c4d' })
  fingerprint: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  expiresAt: string | null;
}

export class CreatedTenantDto extends TenantDto {
  @ApiPropertyOptional({ type: CreatedKeyDto })
  key?: CreatedKeyDto;
}

export class ErasedCountsDto {
  @ApiProperty()
  leads: number;

  @ApiProperty()
  outcomes: number;

  @ApiProperty()
  idempotencyKeys: number;

  @ApiProperty()
  apiKeys: number;
}

export class ErasedTenantDto {
  @ApiProperty({ example: 'ACME' })
  tenant: string;

  @ApiProperty({ type: ErasedCountsDto })
  erased: ErasedCountsDto;
}
