import { Injectable } from '@nestjs/common';
import { SharedSecret } from '@app/api-keys';
import { AppConfig } from '@app/config';
import { AdminApiDisabled, InvalidAdminKey } from './auth.errors';
import { digestKey, fingerprintOf } from './key-material';

/** Checks x-admin-key against API_ADMIN_KEY in constant time. */
@Injectable()
export class AdminKeyVerifier {
  private readonly expected: SharedSecret | null;
  /** The admin key's non-secret label, recorded as the actor of audit rows. */
  readonly fingerprint: string | null;

  constructor(config: AppConfig) {
    this.expected = config.adminKey ? new SharedSecret(config.adminKey) : null;
    this.fingerprint = config.adminKey ? fingerprintOf(digestKey(config.adminKey)) : null;
  }

  verify(presented: string | undefined): void {
    if (!this.expected) throw new AdminApiDisabled();
    if (!this.expected.matches(presented)) throw new InvalidAdminKey();
  }
}
