import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Outcome, OUTCOMES } from '../outcomes';
import { IsStorableText, MaxCodePoints } from './text-validators';

export class RecordOutcomeDto {
  @ApiProperty({ enum: OUTCOMES, example: 'booked' })
  @IsIn(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` })
  outcome: Outcome;

  @ApiPropertyOptional({ maxLength: 500, example: 'Booked for Tuesday 9am' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @MaxCodePoints(500)
  @IsStorableText()
  notes?: string;

  @ApiPropertyOptional({ minimum: 0, example: 3600, description: 'Seconds from capture to conversion' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  timeToConversionSeconds?: number;
}

export class OutcomeRecordedDto {
  @ApiProperty({ format: 'uuid' })
  leadId: string;

  @ApiProperty({ enum: OUTCOMES })
  outcome: Outcome;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;
}
