import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import { ContextualRequest, elapsedMs } from '../request-context';
import { routeTemplateOf } from '../route-template';
import { PINO_LOGGER } from './logger';

/**
 * One access line per request, written when the response closes: request id, tenant,
 * method, route template, status and duration. Never headers, bodies or query strings.
 */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  constructor(@Inject(PINO_LOGGER) private readonly logger: Logger) {}

  use(req: ContextualRequest, res: Response, next: NextFunction): void {
    res.once('close', () => {
      const context = req.context;
      if (!context) return;
      const status = res.statusCode;
      const line = {
        requestId: context.requestId,
        tenant: context.tenant ?? null,
        method: req.method,
        route: routeTemplateOf(req),
        status,
        durationMs: Math.round(elapsedMs(context) * 100) / 100,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (status >= 500) this.logger.error(line, 'request');
      else this.logger.info(line, 'request');
    });
    next();
  }
}
