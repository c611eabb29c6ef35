import { Injectable, NestMiddleware } from '@nestjs/common';
import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { AppConfig } from '@app/config';
import { REQUEST_ID_HEADER } from '../request-context';

/** Security headers (helmet) on every response. */
@Injectable()
export class HelmetMiddleware implements NestMiddleware {
  private readonly handler: RequestHandler = helmet();

  use(req: Request, res: Response, next: NextFunction): void {
    this.handler(req, res, next);
  }
}

/**
 * CORS from the CORS_ORIGINS allow-list. An origin not on the list gets no
 * Access-Control-Allow-Origin header, so browsers refuse the response.
 */
@Injectable()
export class CorsMiddleware implements NestMiddleware {
  private readonly handler: RequestHandler;

  constructor(config: AppConfig) {
    const anyOrigin = config.corsOrigins.includes('*');
    const allowed = new Set(config.corsOrigins.map((o) => o.toLowerCase()));
    this.handler = cors({
      origin: (origin, callback) => callback(null, anyOrigin || (!!origin && allowed.has(origin.toLowerCase()))),
      exposedHeaders: [
        REQUEST_ID_HEADER,
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      maxAge: 600,
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.handler(req, res, next);
  }
}
