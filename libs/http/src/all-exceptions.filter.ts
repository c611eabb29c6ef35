import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import {
  capIssues,
  DatabaseUnavailable,
  DomainError,
  ERROR_KIND_STATUS,
  FRAMEWORK_ERROR_CODES,
  MethodNotAllowed,
  RouteNotFound,
  UnsupportedMediaType,
} from './errors';
import { errorEnvelope, ErrorEnvelope } from './error-envelope';
import { PINO_LOGGER } from './logging/logger';
import { ContextualRequest, isValidRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-context';
import { requestPathOf, routeTableOf } from './route-template';
import { isDatabaseUnavailable } from './unavailable';

interface Mapped {
  envelope: ErrorEnvelope;
  headers?: Record<string, string>;
}

/** A 4xx the framework or the HTTP platform raised: its status and what may be said about it. */
interface FrameworkRefusal {
  status: number;
  message: string;
  details?: unknown[];
}

function httpExceptionMessage(exception: HttpException): { message: string; details?: unknown[] } {
  const body = exception.getResponse();
  if (typeof body === 'string') return { message: body };
  const { message } = body as { message?: unknown };
  if (Array.isArray(message)) return { message: 'Request validation failed', details: message };
  if (typeof message === 'string') return { message };
  return { message: exception.message };
}

/**
 * Framework 4xx: Nest's HttpExceptions, and http-errors objects (a numeric `status` and an
 * `expose` flag) that platform middleware passes on; the message of the latter is used only
 * when it is marked safe to expose.
 */
function frameworkRefusal(exception: unknown): FrameworkRefusal | null {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return status >= 400 && status < 500 ? { status, ...httpExceptionMessage(exception) } : null;
  }
  if (!(exception instanceof Error)) return null;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  if (typeof expose !== 'boolean' || typeof status !== 'number' || status < 400 || status >= 500) return null;
  return { status, message: expose ? exception.message : (STATUS_CODES[status] ?? 'Bad request') };
}

/**
 * The single exception filter: every error the API returns leaves through here, in the
 * standard envelope with its code and the request id. 5xx bodies are generic; the log line
 * carries the full error with the same request id.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<ContextualRequest>();
    const res = ctx.getResponse();
    // Errors raised before the request-id middleware ran (an undecodable path) get an id here.
    const incoming = req.headers?.[REQUEST_ID_HEADER];
    const requestId = requestIdOf(req) ?? (isValidRequestId(incoming) ? incoming : randomUUID());
    const { envelope, headers } = this.map(exception, req, requestId);

    if (envelope.statusCode >= 500) {
      this.logger.error({ requestId, err: exception }, 'unhandled error');
    }

    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(res)) {
      adapter.end(res);
      return;
    }
    if (!requestIdOf(req)) adapter.setHeader(res, REQUEST_ID_HEADER, requestId);
    for (const [name, value] of Object.entries(headers ?? {})) adapter.setHeader(res, name, value);
    adapter.reply(res, envelope, envelope.statusCode);
  }

  private map(exception: unknown, req: ContextualRequest, requestId: string): Mapped {
    const domain = this.asDomainError(exception, req);
    if (domain) {
      const status = ERROR_KIND_STATUS[domain.kind];
      return {
        envelope: errorEnvelope(status, domain.code, domain.message, requestId, domain.details),
        headers: domain.headers,
      };
    }
    const refusal = frameworkRefusal(exception);
    if (refusal) {
      const { status, message, details } = refusal;
      const code = details ? 'VALIDATION_FAILED' : FRAMEWORK_ERROR_CODES.badRequest;
      return { envelope: errorEnvelope(status, code, message, requestId, details && capIssues(details)) };
    }
    return { envelope: errorEnvelope(500, FRAMEWORK_ERROR_CODES.internal, 'Internal server error', requestId) };
  }

  /** The domain error an exception stands for: itself, or what a framework error means here. */
  private asDomainError(exception: unknown, req: ContextualRequest): DomainError | null {
    if (exception instanceof DomainError) return exception;
    const refusal = frameworkRefusal(exception);
    if (refusal?.status === 404) return this.routeNotFound(req);
    if (refusal?.status === 415) return new UnsupportedMediaType();
    if (refusal || exception instanceof HttpException) return null;
    // The database cannot be reached (refused, reset, timed out): retryable, so 503 rather than 500.
    if (isDatabaseUnavailable(exception)) return new DatabaseUnavailable();
    return null;
  }

  /**
   * No route serves this method on this path: 405 with the methods the path does accept when
   * some route matches it (from the table of registered routes), else 404, also when a route
   * exists but found nothing to serve. The raw path is never echoed.
   */
  private routeNotFound(req: ContextualRequest): DomainError {
    const adapter = this.adapterHost.httpAdapter;
    const table = routeTableOf(adapter.getInstance<object>(), adapter.getType());
    const path = requestPathOf(req);
    const method = (req.method ?? 'GET').toUpperCase();
    if (table.templateFor(method, path) !== undefined) return new RouteNotFound();
    const allowed = table.allowedMethods(path);
    return allowed.length > 0 ? new MethodNotAllowed(method, allowed) : new RouteNotFound();
  }
}
