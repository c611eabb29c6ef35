import { Injectable } from '@nestjs/common';

/**
 * The one source of "now" for everything that depends on time (grace periods, windows,
 * quotas, expiry, staleness). Tests replace it with a clock they advance.
 */
@Injectable()
export class Clock {
  /** Epoch milliseconds. */
  now(): number {
    return Date.now();
  }

  date(): Date {
    return new Date(this.now());
  }
}
