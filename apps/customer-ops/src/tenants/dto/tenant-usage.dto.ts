import { ApiProperty } from '@nestjs/swagger';
import { QUOTA_NAMES, ROUTE_FAMILIES } from '../../rate-limit/limits';

export class WindowUsageDto {
  @ApiProperty({ enum: ROUTE_FAMILIES, description: 'default: /v1/* routes; ops: /ops/* routes' })
  family: 'ops' | 'default';

  @ApiProperty({ example: 'burst' })
  name: string;

  @ApiProperty({ example: 10 })
  limit: number;

  @ApiProperty({ example: 1 })
  windowSeconds: number;

  @ApiProperty({ example: 3 })
  used: number;

  @ApiProperty({ example: 7 })
  remaining: number;

  @ApiProperty({ example: 1, description: 'Seconds until the window starts afresh' })
  resetSeconds: number;
}

export class QuotaUsageDto {
  @ApiProperty({ enum: ROUTE_FAMILIES })
  family: 'ops' | 'default';

  @ApiProperty({ enum: QUOTA_NAMES })
  name: string;

  @ApiProperty({ example: 5000 })
  limit: number;

  @ApiProperty({ example: 1200 })
  used: number;

  @ApiProperty({ example: 3800 })
  remaining: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the next UTC day or month' })
  resetsAt: string;
}

export class TenantUsageDto {
  @ApiProperty({ example: 'ACME' })
  tenant: string;

  @ApiProperty({ example: 'pro' })
  plan: string;

  @ApiProperty({ type: [WindowUsageDto] })
  windows: WindowUsageDto[];

  @ApiProperty({ type: [QuotaUsageDto] })
  quotas: QuotaUsageDto[];
}

export class UsageResetDto {
  @ApiProperty({ example: 'ACME' })
  tenant: string;

  @ApiProperty({ example: true })
  reset: true;
}
