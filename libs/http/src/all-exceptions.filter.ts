import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError, ERROR_KIND_STATUS } from './errors';
import { errorEnvelope, ErrorEnvelope } from './error-envelope';
import { PINO_LOGGER } from './logging/logger';
import { ContextualRequest, isValidRequestId, REQUEST_ID_HEADER, requestIdOf } from './request-context';
import { isDatabaseUnavailable } from './unavailable';

interface Mapped {
  envelope: ErrorEnvelope;
  headers?: Record<string, string>;
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
 * The single exception filter: every error the API returns leaves through here, in the
 * standard envelope with the request id. 5xx bodies are generic; the log line carries the
 * full error with the same request id.
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
    const { envelope, headers } = this.map(exception, requestId);

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

  private map(exception: unknown, requestId: string | undefined): Mapped {
    if (exception instanceof DomainError) {
      return {
        envelope: errorEnvelope(ERROR_KIND_STATUS[exception.kind], exception.message, requestId, exception.details),
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return { envelope: errorEnvelope(status, 'Internal server error', requestId) };
      const { message, details } = httpExceptionMessage(exception);
      return { envelope: errorEnvelope(status, message, requestId, details) };
    }
    // The database cannot be reached (refused, reset, timed out): retryable, so 503 rather than 500.
    if (isDatabaseUnavailable(exception)) {
      const envelope = errorEnvelope(ERROR_KIND_STATUS.unavailable, 'Service temporarily unavailable', requestId);
      return { envelope, headers: { 'Retry-After': '1' } };
    }
    return { envelope: errorEnvelope(500, 'Internal server error', requestId) };
  }
}
