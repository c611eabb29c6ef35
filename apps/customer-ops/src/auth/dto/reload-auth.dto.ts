import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ReloadAuthQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true accepts a keys file that has gone missing although the last load read keys from it: its keys are removed. ' +
      'Without it such a reload answers 409 KEYS_FILE_MISSING and keeps every key',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'allowMissingKeysFile must be true or false' })
  allowMissingKeysFile?: 'true' | 'false';
}
