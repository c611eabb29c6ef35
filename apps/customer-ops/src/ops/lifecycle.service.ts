import { Injectable } from '@nestjs/common';

/** Process lifecycle state that probes report: set once shutdown begins, never unset. */
@Injectable()
export class LifecycleService {
  private readonly startedAt = Date.now();
  private shuttingDown = false;

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
