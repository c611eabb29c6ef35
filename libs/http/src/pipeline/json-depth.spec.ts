import { exceedsJsonDepth } from './json-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects alike; {} is depth 1', () => {
    expect(exceedsJsonDepth('{}', 1)).toBe(false);
    expect(exceedsJsonDepth('{"a":[1]}', 1)).toBe(true);
    expect(exceedsJsonDepth('{"a":[1]}', 2)).toBe(false);
    expect(exceedsJsonDepth('[{"a":{"b":[]}}]', 3)).toBe(true);
    expect(exceedsJsonDepth('[{"a":{"b":[]}}]', 4)).toBe(false);
    expect(exceedsJsonDepth('1', 1)).toBe(false);
  });

  it('measures the deepest point, not the number of containers', () => {
    expect(exceedsJsonDepth(`[${Array.from({ length: 1000 }, () => '[1]').join(',')}]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[{{{{' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ a: 'say \\"[[[[\\"', b: '"[' }), 1)).toBe(false);
    expect(exceedsJsonDepth('{"a":"\\\\"}', 1)).toBe(false);
    expect(exceedsJsonDepth('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
  });

  it('reads raw UTF-8 bytes the same as text', () => {
    const text = JSON.stringify({ name: 'Zoë 😀 [', nested: [[['ü']]] });
    for (const limit of [3, 4]) {
      expect(exceedsJsonDepth(Buffer.from(text, 'utf8'), limit)).toBe(exceedsJsonDepth(text, limit));
    }
  });

  it('handles very deep and unterminated input without recursion', () => {
    expect(exceedsJsonDepth(nested(200_000), 32)).toBe(true);
    expect(exceedsJsonDepth('['.repeat(200_000), 32)).toBe(true);
    expect(exceedsJsonDepth(nested(32), 32)).toBe(false);
    expect(exceedsJsonDepth(nested(33), 32)).toBe(true);
  });
});
