import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Paths whose responses are per caller (tenant data, admin answers, minted keys). */
const API_PATH = /^\/(?:ops|v1)(?:[/?#]|$)/;

/**
 * API responses are never stored by a shared cache or the browser (`Cache-Control: no-store`),
 * and caches that ignore that still key them by the caller (`Vary: x-api-key`). Errors too:
 * the headers are set before anything else can answer.
 */
@Injectable()
export class ApiCacheMiddleware implements NestMiddleware {
  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    // Middleware mounts may rewrite req.url; originalUrl is the path as requested.
    if (API_PATH.test(req.originalUrl ?? req.url ?? '')) {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Vary', 'x-api-key');
    }
    next();
  }
}
