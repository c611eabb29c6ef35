import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { TENANT_NAME_PATTERN, TENANT_NAME_RULE } from '@app/api-keys';
import { TENANT_STATUSES, TenantStatus } from '../entities/tenant.entity';

/** A tenant name in a path or body: the one tenant-name rule. */
export function IsTenantName(): PropertyDecorator {
  return Matches(TENANT_NAME_PATTERN, { message: `tenant must be ${TENANT_NAME_RULE}` });
}

export class TenantParams {
  @ApiProperty({ example: 'EXPERTCO', description: 'Tenant name (case-insensitive, stored upper-case)' })
  @IsTenantName()
  tenant: string;
}

export class TenantKeyParams extends TenantParams {
  @ApiProperty({ example: '3f0c8a8e-1a7b-4c55-9d1e-2f3a4b5c6d7e' })
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'id must be a key id as listed by GET /ops/tenants' })
  id: string;
}

export class MintKeyDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3650,
    example: 90,
    description: 'Days until the key expires; omit for no expiry',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class RevokeKeyQuery {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 86400,
    example: 300,
    description: 'Seconds the key stays valid (zero-downtime rotation)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86400)
  graceSeconds?: number;
}

export class MintedKeyDto {
  @ApiProperty({ example: '3f0c8a8e-1a7b-4c55-9d1e-2f3a4b5c6d7e' })
  id: string;

  @ApiProperty({ example: 'EXPERTCO' })
  tenant: string;

  @ApiProperty({ example: 'co_live_2Xb9…', description: 'Shown once; only its digest is stored' })
  key: string;

  @ApiProperty({ example: 'sha256:1a2b3c4d' })
  fingerprint: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: string | null;
}

export class RevokedKeyDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the key stops working' })
  revokedAt: string;
}

export class TenantKeyDto {
  @ApiProperty({ example: 'env-1a2b3c4d5e6f' })
  id: string;

  @ApiProperty({ enum: ['env', 'file', 'db'] })
  source: 'env' | 'file' | 'db';

  @ApiProperty({ example: 'sha256:1a2b3c4d' })
  fingerprint: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expiresAt: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the key last authenticated a request, accurate to a minute; null when never used',
  })
  lastUsedAt: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Set while a revoked key is in its grace period',
  })
  revokedAt?: string;
}

export class TenantSummaryDto {
  @ApiProperty({ example: 'EXPERTCO' })
  tenant: string;

  @ApiProperty({ enum: TENANT_STATUSES })
  status: TenantStatus;

  @ApiProperty({ example: 'default' })
  plan: string;

  @ApiProperty({ type: String, nullable: true, example: 'Expert Roofing Co.' })
  displayName: string | null;

  @ApiProperty({ type: [TenantKeyDto] })
  keys: TenantKeyDto[];
}

export class TenantListDto {
  @ApiProperty({ example: 2 })
  count: number;

  @ApiProperty({ type: [TenantSummaryDto] })
  tenants: TenantSummaryDto[];
}
