import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '@app/config';
import { AdminApiDisabled, InvalidAdminKey } from './auth.errors';
import { digestKey, fingerprintOf } from './key-material';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Checks x-admin-key against API_ADMIN_KEY in constant time (digests + timingSafeEqual). */
@Injectable()
export class AdminKeyVerifier {
  private readonly expected: Buffer | null;
  /** The admin key's non-secret label, recorded as the actor of audit rows. */
  readonly fingerprint: string | null;

  constructor(config: AppConfig) {
    this.expected = config.adminKey ? sha256(config.adminKey) : null;
    this.fingerprint = config.adminKey ? fingerprintOf(digestKey(config.adminKey)) : null;
  }

  verify(presented: string | undefined): void {
    if (!this.expected) throw new AdminApiDisabled();
    if (!presented || !timingSafeEqual(sha256(presented), this.expected)) throw new InvalidAdminKey();
  }
}
