import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '@app/config';
import { HostNotAllowed } from '../errors';
import { createHostMatcher, HostMatcher } from './host-allowlist';

/** Rejects requests whose Host header is not in ALLOWED_HOSTS (400 in the error envelope). */
@Injectable()
export class HostAllowlistMiddleware implements NestMiddleware {
  private readonly allowed: HostMatcher;

  constructor(config: AppConfig) {
    this.allowed = createHostMatcher(config.allowedHosts);
  }

  use(req: Request, _res: Response, next: NextFunction): void {
    if (!this.allowed(req.headers.host)) throw new HostNotAllowed();
    next();
  }
}
