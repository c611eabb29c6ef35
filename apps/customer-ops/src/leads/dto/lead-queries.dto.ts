import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageCursorParam, PageLimit } from '@app/http';
import { URGENCIES } from '../enrichment/enricher';
import { INTENTS } from '../enrichment/lexicons';
import { OUTCOMES } from '../outcomes';
import { IsStorableText } from './text-validators';

export class LeadIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a lead id (UUID)' })
  id: string;
}

export class ListLeadsQuery {
  @PageLimit()
  limit?: number;

  @PageCursorParam()
  cursor?: string;

  @ApiPropertyOptional({ enum: [...INTENTS, 'unknown'] })
  @IsOptional()
  @IsIn([...INTENTS, 'unknown'])
  intent?: string;

  @ApiPropertyOptional({ enum: URGENCIES })
  @IsOptional()
  @IsIn(URGENCIES)
  urgency?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` })
  outcome?: string;
}

export class ListOutcomesQuery {
  @PageLimit()
  limit?: number;

  @PageCursorParam()
  cursor?: string;
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
