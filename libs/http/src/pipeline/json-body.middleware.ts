import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { AppConfig } from '@app/config';
import { DomainError, MalformedJson, PayloadTooLarge, UnsupportedBodyEncoding } from '../errors';

/** JSON bodies are UTF-8: a content type naming another charset is refused (415). */
export function isUtf8(contentType: string | undefined): boolean {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  return !charset || charset === 'utf-8' || charset === 'utf8';
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function toDomainError(error: BodyParserError, limitBytes: number): DomainError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLarge(limitBytes);
    case 'entity.parse.failed':
      return new MalformedJson();
    case 'encoding.unsupported':
      return new UnsupportedBodyEncoding('content encoding');
    case 'charset.unsupported':
      return new UnsupportedBodyEncoding('charset');
    default:
      return new DomainError('bad_request', 'UNREADABLE_BODY', 'Request body could not be read');
  }
}

/**
 * JSON body parsing with the configured size limit. Parser failures are thrown as domain
 * errors so they reach the global filter and come back in the standard envelope.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;
  private readonly limitBytes: number;

  constructor(config: AppConfig) {
    this.limitBytes = config.bodyLimitBytes;
    this.parse = json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/*+json'] });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // Bodies of GET and HEAD requests carry no meaning and are not read (as under Fastify).
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (!isUtf8(req.headers['content-type'])) throw new UnsupportedBodyEncoding('charset');
    await new Promise<void>((resolve, reject) => {
      this.parse(req, res, (error?: unknown) =>
        error ? reject(toDomainError(error as BodyParserError, this.limitBytes)) : resolve(),
      );
    });
    next();
  }
}
