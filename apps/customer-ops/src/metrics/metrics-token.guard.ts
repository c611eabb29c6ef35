import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/http';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** When METRICS_TOKEN is set, /metrics requires `Authorization: Bearer <token>`. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(config: AppConfig) {
    this.expected = config.metricsToken ? digest(config.metricsToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1].trim()), this.expected)) return true;
    throw new DomainError(
      'unauthorized',
      'METRICS_TOKEN_REQUIRED',
      'Invalid or missing metrics bearer token',
      undefined,
      {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      },
    );
  }
}
