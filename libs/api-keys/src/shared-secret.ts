import { createHash, timingSafeEqual } from 'node:crypto';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * One configured secret (the admin key, the metrics token) and the one way to check a presented
 * value against it: both are hashed to the same length and compared in constant time, so
 * neither the secret's length nor its prefix leaks through timing.
 */
export class SharedSecret {
  private readonly digest: Buffer;

  constructor(secret: string) {
    this.digest = sha256(secret);
  }

  matches(presented: string | undefined): boolean {
    return presented !== undefined && presented !== '' && timingSafeEqual(sha256(presented), this.digest);
  }
}
