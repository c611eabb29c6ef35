import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '@app/config';
import { RequestCompletionMiddleware } from '../observability/request-completion.middleware';
import { ApiCacheMiddleware } from './api-cache.middleware';
import { HostAllowlistMiddleware } from './host-allowlist.middleware';
import { JsonBodyMiddleware } from './json-body.middleware';
import { RequestIdMiddleware } from './request-id.middleware';
import { CorsMiddleware, HelmetMiddleware } from './security.middleware';

type Next = (error?: unknown) => void;
type Step = { use(req: IncomingMessage, res: ServerResponse, next: Next): unknown };

/**
 * The shared pipeline as one middleware, so each request passes one framework layer instead
 * of seven: request id, completion observer (access log and metrics), security headers, no-store
 * caching of API responses, host
 * allow-list, CORS, then JSON body parsing (express only: Fastify parses with the same rules,
 * see configureFastify). A step's error, thrown or passed on, goes to the exception filter.
 */
@Injectable()
export class HttpPipelineMiddleware implements NestMiddleware {
  private readonly steps: Step[];

  constructor(
    config: AppConfig,
    requestId: RequestIdMiddleware,
    completion: RequestCompletionMiddleware,
    helmet: HelmetMiddleware,
    apiCache: ApiCacheMiddleware,
    host: HostAllowlistMiddleware,
    cors: CorsMiddleware,
    json: JsonBodyMiddleware,
  ) {
    this.steps = [
      requestId,
      completion,
      helmet,
      apiCache,
      host,
      cors,
      ...(config.httpAdapter === 'express' ? [json] : []),
    ] as Step[];
  }

  use(req: IncomingMessage, res: ServerResponse, next: Next): void {
    let index = 0;
    const advance: Next = (error) => {
      if (error) return next(error);
      const step = this.steps[index++];
      if (!step) return next();
      try {
        const pending = step.use(req, res, advance);
        if (pending instanceof Promise) pending.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    advance();
  }
}
