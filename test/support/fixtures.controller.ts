import { Body, Controller, Get, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import { ApiKeyAuth, CurrentTenant, Public } from '@app/http';
import { RateLimitFamily } from '../../apps/customer-ops/src/rate-limit/rate-limit.decorators';

class EchoItemDto {
  @IsString()
  @Length(1, 5)
  code: string;
}

export class EchoDto {
  @IsString()
  @Length(2, 10)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => EchoItemDto)
  item?: EchoItemDto;
}

/** Routes that exist only in the e2e suites, to drive the shared pipeline. */
@Controller('__fixtures')
@Public()
export class FixturesController {
  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('connect ECONNREFUSED db.internal:5432 password=hunter2');
  }
}

/** A tenant route under /v1, for the default rate-limit bucket before the real /v1 routes. */
@Controller('v1/__fixtures')
@ApiKeyAuth()
@RateLimitFamily('default')
export class V1FixturesController {
  @Get('ping')
  ping(@CurrentTenant() tenant: string): { tenant: string } {
    return { tenant };
  }
}
