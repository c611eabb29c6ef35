import { createHash, randomBytes } from 'node:crypto';

export const MINTED_KEY_PREFIX = 'co_live_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MINTED_RANDOM_CHARS = 40;

/** SHA-256 hex digest: the only form in which keys are held, in memory and in the database. */
export function digestKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A non-secret label an operator can reproduce with `printf %s KEY | sha256sum`. */
export function fingerprintOf(digest: string): string {
  return `sha256:${digest.slice(0, 8)}`;
}

/** `co_live_` + 40 uniformly random base62 characters (about 238 bits). */
export function mintKey(): string {
  let out = '';
  while (out.length < MINTED_RANDOM_CHARS) {
    for (const byte of randomBytes(64)) {
      // Rejection sampling keeps every character equally likely (248 = 4 * 62).
      if (byte < 248 && out.length < MINTED_RANDOM_CHARS) out += BASE62[byte % 62];
    }
  }
  return MINTED_KEY_PREFIX + out;
}
