import { rocAuc } from './auc';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('matches a hand count of correctly ordered pairs', () => {
    // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs: (0.8>0.6) (0.8>0.2) (0.4<0.6) (0.4>0.2) -> 3/4.
    expect(rocAuc([0.8, 0.4, 0.6, 0.2], [1, 1, 0, 0])).toBe(0.75);
    // Positives 0.9, 0.3, 0.35; negatives 0.5, 0.1 -> (0.9:2) (0.3:1) (0.35:1) = 4/6.
    expect(rocAuc([0.9, 0.5, 0.3, 0.35, 0.1], [1, 0, 1, 1, 0])).toBeCloseTo(4 / 6, 12);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    // Positive 0.7 vs negatives 0.7 (tie: 1/2) and 0.2 (win: 1); positive 0.2 vs 0.7 (0) and 0.2 (1/2) -> 2/4.
    expect(rocAuc([0.7, 0.2, 0.7, 0.2], [1, 1, 0, 0])).toBe(0.5);
    // Positive 0.6 vs 0.6 tie and 0.1 win -> 1.5/2.
    expect(rocAuc([0.6, 0.6, 0.1], [1, 0, 0])).toBe(0.75);
  });

  it('is NaN when a class is missing', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it('does not depend on input order', () => {
    const scores = [0.3, 0.9, 0.1, 0.5, 0.5, 0.7];
    const labels = [0, 1, 0, 1, 0, 1];
    const reversed = rocAuc([...scores].reverse(), [...labels].reverse());
    expect(rocAuc(scores, labels)).toBeCloseTo(reversed, 12);
  });
});
