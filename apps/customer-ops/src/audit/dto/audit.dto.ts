import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { TENANT_NAME_PATTERN, TENANT_NAME_RULE } from '@app/api-keys';
import { PageCursorParam, PageLimit } from '@app/http';
import { AUDIT_ACTIONS } from '../audit.actions';

export class AuditQuery {
  @ApiPropertyOptional({ example: 'ACME', description: 'Only events about this tenant' })
  @IsOptional()
  @Matches(TENANT_NAME_PATTERN, { message: `tenant must be ${TENANT_NAME_RULE}` })
  tenant?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: string;

  @PageLimit()
  limit?: number;

  @PageCursorParam()
  cursor?: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ enum: AUDIT_ACTIONS })
  action: string;

  @ApiProperty({ type: String, nullable: true, example: 'ACME' })
  tenant: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Key id or fingerprint', example: 'sha256:1a2b3c4d' })
  target: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Fingerprint of the admin key used' })
  actor: string | null;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Counts, old and new plan, …; never a key, a digest or personal data',
  })
  details: Record<string, unknown> | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items: AuditEventDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
