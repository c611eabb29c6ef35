import { ApiProperty } from '@nestjs/swagger';

export class ModelStatusDto {
  @ApiProperty({ example: true })
  loaded: boolean;

  @ApiProperty({ example: 'lead-enrichment-rules' })
  model: string;

  @ApiProperty({ example: '1.0.0' })
  version: string;

  @ApiProperty({ example: 'EXPERTCO', description: "The caller's tenant" })
  tenant: string;
}
