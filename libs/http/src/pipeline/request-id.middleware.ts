import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ContextualRequest, isValidRequestId, REQUEST_ID_HEADER } from '../request-context';

/**
 * First in the pipeline: reuses a well-formed incoming x-request-id (1-128 chars of
 * [A-Za-z0-9._-]) or mints one, and echoes it on every response, errors included.
 */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: ContextualRequest, res: Response, next: NextFunction): void {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const requestId = isValidRequestId(incoming) ? incoming : randomUUID();
    req.context = { requestId, startedAt: process.hrtime.bigint() };
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  }
}
