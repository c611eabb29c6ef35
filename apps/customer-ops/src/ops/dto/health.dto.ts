import { ApiProperty } from '@nestjs/swagger';

export class HealthChecksDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  database: 'up' | 'down';

  @ApiProperty({
    enum: ['up', 'down', 'degraded', 'disabled'],
    example: 'up',
    description:
      'down: no working connection; degraded: connected, but rate-limit calls time out or fail and ' +
      'limiting follows RATE_LIMIT_FALLBACK; disabled: REDIS_URL is unset',
  })
  redis: 'up' | 'down' | 'degraded' | 'disabled';
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status: 'ok' | 'degraded';

  @ApiProperty({ example: 42 })
  uptimeSeconds: number;

  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ type: HealthChecksDto })
  checks: HealthChecksDto;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'not_ready'], example: 'ready' })
  status: 'ready' | 'not_ready';

  @ApiProperty({ type: HealthChecksDto })
  checks: HealthChecksDto;

  @ApiProperty({ required: false, example: 'shutting down' })
  reason?: string;
}
