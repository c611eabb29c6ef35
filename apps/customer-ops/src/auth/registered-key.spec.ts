import { isUsable, RegisteredKey } from './registered-key';

const key = (over: Partial<RegisteredKey>): RegisteredKey => ({
  id: 'k',
  tenant: 'T',
  source: 'db',
  digest: 'd',
  fingerprint: 'sha256:d',
  createdAt: new Date(0),
  expiresAt: null,
  revokedAt: null,
  ...over,
});

describe('isUsable', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  it('accepts a key with no expiry and no revocation', () => expect(isUsable(key({}), now)).toBe(true));
  it('rejects an expired key at request time', () => {
    expect(isUsable(key({ expiresAt: new Date(now) }), now)).toBe(false);
    expect(isUsable(key({ expiresAt: new Date(now + 1) }), now)).toBe(true);
  });
  it('keeps a revoked key only during its grace period', () => {
    expect(isUsable(key({ revokedAt: new Date(now + 1000) }), now)).toBe(true);
    expect(isUsable(key({ revokedAt: new Date(now) }), now)).toBe(false);
  });
});
