import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { CompletedRequest, RequestCompletion } from '../observability/request-completion';
import { PINO_LOGGER } from './logger';

/**
 * One access line per request: request id, tenant, method, route template, status and
 * duration. Never headers, bodies or query strings.
 */
@Injectable()
export class AccessLog implements OnModuleInit {
  constructor(
    private readonly completion: RequestCompletion,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.completion.subscribe((request) => this.write(request));
  }

  private write({ aborted, durationMs, ...fields }: CompletedRequest): void {
    const line = { ...fields, durationMs: Math.round(durationMs * 100) / 100, ...(aborted ? { aborted } : {}) };
    if (fields.status >= 500) this.logger.error(line, 'request');
    else this.logger.info(line, 'request');
  }
}
