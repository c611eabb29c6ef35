import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '@app/config';
import { AdminApiDisabled, InvalidAdminKey } from './auth.errors';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Checks x-admin-key against API_ADMIN_KEY in constant time (digests + timingSafeEqual). */
@Injectable()
export class AdminKeyVerifier {
  private readonly expected: Buffer | null;

  constructor(config: AppConfig) {
    this.expected = config.adminKey ? sha256(config.adminKey) : null;
  }

  verify(presented: string | undefined): void {
    if (!this.expected) throw new AdminApiDisabled();
    if (!presented || !timingSafeEqual(sha256(presented), this.expected)) throw new InvalidAdminKey();
  }
}
