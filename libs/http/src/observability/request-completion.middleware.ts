import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ContextualRequest, elapsedMs } from '../request-context';
import { routeTemplateOf } from '../route-template';
import { RequestCompletion } from './request-completion';

/**
 * Second in the pipeline (right after the request id), so that every request is observed,
 * including those rejected by later middleware. Announces the request when its response closes.
 */
@Injectable()
export class RequestCompletionMiddleware implements NestMiddleware {
  constructor(private readonly completion: RequestCompletion) {}

  use(req: ContextualRequest, res: Response, next: NextFunction): void {
    res.once('close', () => {
      const context = req.context;
      if (!context) return;
      this.completion.emit({
        requestId: context.requestId,
        tenant: context.tenant ?? null,
        method: req.method ?? 'GET',
        route: routeTemplateOf(req),
        status: res.statusCode,
        durationMs: elapsedMs(context),
        aborted: !res.writableFinished,
      });
    });
    next();
  }
}
