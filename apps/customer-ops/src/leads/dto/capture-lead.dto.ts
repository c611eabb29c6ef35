import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import {
  HasMinDigits,
  IsEmailAddress,
  IsStorableMultilineText,
  IsStorableText,
  MaxCodePoints,
} from './text-validators';

const PHONE = /^[0-9 +().-]{7,32}$/;
const hasNoContact = (dto: CaptureLeadDto) => dto.phone == null && dto.email == null;

export class CaptureLeadDto {
  @ApiProperty({ minLength: 2, maxLength: 200, example: 'Jane Roofer' })
  @IsString()
  @Length(2, 200)
  @MaxCodePoints(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @IsStorableText()
  name: string;

  @ApiPropertyOptional({
    minLength: 7,
    maxLength: 32,
    example: '+1 (555) 010-2030',
    description: 'Phone or email is required; digits, spaces and + ( ) - . with at least 7 digits',
  })
  @ValidateIf((dto: CaptureLeadDto) => dto.phone != null || hasNoContact(dto))
  @IsDefined({ message: 'phone or email is required' })
  @IsString()
  @Matches(PHONE, { message: 'phone must be 7-32 characters of digits, spaces and + ( ) - .' })
  @HasMinDigits(7)
  phone?: string;

  @ApiPropertyOptional({ maxLength: 254, example: 'jane@example.com', description: 'Phone or email is required' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @MaxCodePoints(254)
  @IsEmailAddress({ message: 'email must be a valid email address' })
  @IsStorableText()
  email?: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Roofing Co' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @MaxCodePoints(200)
  @IsStorableText()
  company?: string;

  @ApiPropertyOptional({
    maxLength: 4000,
    example: 'URGENT: need an estimate for metal roof today',
    description: 'Free text: tab and line breaks allowed, other control and invisible characters refused',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  @MaxCodePoints(4000)
  @IsStorableMultilineText()
  details?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'website' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @MaxCodePoints(64)
  @IsStorableText()
  source?: string;
}
