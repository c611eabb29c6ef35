import { SharedSecret } from './shared-secret';

describe('SharedSecret', () => {
  const secret = new SharedSecret('s3cret-value-of-some-length');

  it('matches the secret only', () => {
    expect(secret.matches('s3cret-value-of-some-length')).toBe(true);
    expect(secret.matches('s3cret-value-of-some-lengtH')).toBe(false);
    expect(secret.matches('s3cret')).toBe(false);
    expect(secret.matches('s3cret-value-of-some-length ')).toBe(false);
  });

  it('never matches nothing', () => {
    expect(secret.matches(undefined)).toBe(false);
    expect(secret.matches('')).toBe(false);
  });
});
