import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { INTENTS } from '../enrichment/lexicons';
import { OUTCOMES } from '../outcomes';
import { IsStorableText } from './text-validators';

/** `limit` of a page: an optional integer from 1 to 100, 20 when absent. */
function PageLimit(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );
}

export class LeadIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a lead id (UUID)' })
  id: string;
}

export class ListLeadsQuery {
  @PageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ enum: [...INTENTS, 'unknown'] })
  @IsOptional()
  @IsIn([...INTENTS, 'unknown'])
  intent?: string;

  @ApiPropertyOptional({ enum: ['high', 'normal', 'medium'] })
  @IsOptional()
  @IsIn(['high', 'normal', 'medium'])
  urgency?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` })
  outcome?: string;
}

export class SearchLeadsQuery {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'roof estimate' })
  @IsString()
  @Length(1, 200)
  @IsStorableText()
  q: string;

  @PageLimit()
  limit?: number;
}
