import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { SharedSecret } from '@app/api-keys';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/http';

/** When METRICS_TOKEN is set, /metrics requires `Authorization: Bearer <token>`. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: SharedSecret | null;

  constructor(config: AppConfig) {
    this.expected = config.metricsToken ? new SharedSecret(config.metricsToken) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (this.expected.matches(match?.[1].trim())) return true;
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
