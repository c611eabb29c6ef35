import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '@app/config';
import {
  DomainError,
  JsonTooDeep,
  MalformedJson,
  PayloadTooLarge,
  UnreadableBody,
  UnsupportedBodyEncoding,
} from '../errors';
import { exceedsJsonDepth } from './json-depth';

/** JSON bodies are UTF-8: a content type naming another charset is refused (415). */
export function isUtf8(contentType: string | undefined): boolean {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  return !charset || charset === 'utf-8' || charset === 'utf8';
}

/** A request carries a body when it is chunked or declares a non-zero length (as type-is decides). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length.trim() !== '' && Number(length) > 0;
}

/**
 * What a request's body is when it was sent with a content type other than JSON (or none):
 * not read, and refused (415) by the validation pipe on routes that take a body. Routes
 * without a body ignore it, and a request with no body at all has none.
 */
export const NON_JSON_BODY: object = Object.freeze({ nonJsonBody: true });

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/**
 * The depth check's failure, by body-parser error type rather than by class: body-parser wraps
 * what its verify hook throws with http-errors, which keeps an error's own properties but may
 * replace the object itself.
 */
const TOO_DEEP_TYPE = 'entity.too.deep';

function toDomainError(error: BodyParserError, limitBytes: number, maxDepth: number): DomainError {
  switch (error.type) {
    case TOO_DEEP_TYPE:
      return new JsonTooDeep(maxDepth);
    case 'entity.too.large':
      return new PayloadTooLarge(limitBytes);
    case 'entity.parse.failed':
      return new MalformedJson();
    case 'encoding.unsupported':
      return new UnsupportedBodyEncoding('content encoding');
    case 'charset.unsupported':
      return new UnsupportedBodyEncoding('charset');
    default:
      return new UnreadableBody();
  }
}

/**
 * JSON body parsing with the configured size and nesting limits. Parser failures are thrown as
 * domain errors so they reach the global filter and come back in the standard envelope.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;
  private readonly limitBytes: number;
  private readonly maxDepth: number;

  constructor(config: AppConfig) {
    this.limitBytes = config.bodyLimitBytes;
    const maxDepth = (this.maxDepth = config.jsonMaxDepth);
    this.parse = json({
      limit: config.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      // Measured on the raw bytes before JSON.parse, so deep bodies never reach validation.
      verify: (_req, _res, body) => {
        if (exceedsJsonDepth(body, maxDepth)) throw Object.assign(new Error('JSON too deep'), { type: TOO_DEEP_TYPE });
      },
    });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // Bodies of GET and HEAD requests carry no meaning and are not read (as under Fastify).
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (!isUtf8(req.headers['content-type'])) throw new UnsupportedBodyEncoding('charset');
    await new Promise<void>((resolve, reject) => {
      this.parse(req, res, (error?: unknown) =>
        error ? reject(toDomainError(error as BodyParserError, this.limitBytes, this.maxDepth)) : resolve(),
      );
    });
    if (req.body === undefined && hasRequestBody(req.headers)) req.body = NON_JSON_BODY;
    next();
  }
}
