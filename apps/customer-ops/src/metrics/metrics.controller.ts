import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { ReplyWriter } from '@app/http';
import { Public } from '@app/http';
import { MetricsTokenGuard } from './metrics-token.guard';

/** GET /metrics in the Prometheus text format; bearer-protected when METRICS_TOKEN is set. */
@ApiExcludeController()
@Controller()
@Public()
@UseGuards(MetricsTokenGuard)
export class MetricsController extends PrometheusController {
  @Get()
  override index(@Res({ passthrough: true }) response: ReplyWriter): Promise<string> {
    return super.index(response);
  }
}
