import { keySlot } from './key-slot';

describe('keySlot', () => {
  // Expected values: CLUSTER KEYSLOT on a Redis 7 cluster.
  it.each([
    ['123456789', 12739],
    ['foo', 12182],
    ['', 0],
    ['é', 10180],
    ['ip:2001:db8::1', 3553],
  ])('hashes %j to slot %i like Redis', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });

  it.each([
    ['{user1000}.following', 'user1000', 3443],
    ['co:rl:{tenant:ACME}:default:w:60', 'tenant:ACME', 5440],
    ['foo{bar}{zap}', 'bar', 5061],
    ['foo{{bar}}zap', '{bar', 4015],
    ['}{x}', 'x', 16287],
  ])('hashes only the hash tag of %j (%j)', (key, tag, slot) => {
    expect(keySlot(key)).toBe(slot);
    expect(keySlot(tag)).toBe(slot);
  });

  it.each([
    ['foo{}{bar}', 8363],
    ['{}', 15257],
    ['a{', 14311],
  ])('hashes the whole of %j when its braces hold no tag', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });
});
