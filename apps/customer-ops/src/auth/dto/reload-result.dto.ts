import { ApiProperty } from '@nestjs/swagger';

export class ReloadResultDto {
  @ApiProperty({ example: true })
  ok: true;

  @ApiProperty({ description: 'Keys that authenticate now', example: 3 })
  keys: number;

  @ApiProperty({ description: 'Distinct tenants with at least one active key', example: 2 })
  tenants: number;

  @ApiProperty({ description: 'Plans in force, the built-in default included', example: 3 })
  plans: number;
}
