import { createHash } from 'node:crypto';
import { digestKey, fingerprintOf, mintKey, MINTED_KEY_PREFIX } from './key-material';

describe('key material', () => {
  it('digests with SHA-256 hex, as sha256sum does', () => {
    expect(digestKey('NEWKEY123')).toBe(createHash('sha256').update('NEWKEY123').digest('hex'));
    expect(digestKey('NEWKEY123')).toHaveLength(64);
  });

  it('fingerprints with the first 8 hex characters of the digest', () => {
    const digest = digestKey('NEWKEY123');
    expect(fingerprintOf(digest)).toBe(`sha256:${digest.slice(0, 8)}`);
  });

  it('mints co_live_ keys of 40 base62 characters, all different', () => {
    const keys = new Set(Array.from({ length: 500 }, () => mintKey()));
    expect(keys.size).toBe(500);
    for (const key of keys) {
      expect(key.startsWith(MINTED_KEY_PREFIX)).toBe(true);
      expect(key.slice(MINTED_KEY_PREFIX.length)).toMatch(/^[0-9A-Za-z]{40}$/);
    }
  });

  it('uses the whole base62 alphabet', () => {
    const chars = new Set(
      Array.from({ length: 200 }, () => mintKey().slice(MINTED_KEY_PREFIX.length))
        .join('')
        .split(''),
    );
    expect(chars.size).toBe(62);
  });
});
