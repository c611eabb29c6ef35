import { rocAuc } from './auc';
import { predictLogistic, trainLogistic } from './logistic';
import { seededRandom, stratifiedSplit } from './random';

function syntheticData(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = random();
    const b = random() * 10;
    const noise = random();
    rows.push([a, b, noise, 3]);
    labels.push(random() < 1 / (1 + Math.exp(-(4 * a - 0.3 * b))) ? 1 : 0);
  }
  return { rows, labels };
}

describe('logistic regression', () => {
  it('is deterministic: same data, same coefficients', () => {
    const { rows, labels } = syntheticData(300, 7);
    expect(trainLogistic(rows, labels)).toEqual(trainLogistic(rows, labels));
  });

  it('learns the direction of each effect and ignores a constant column', () => {
    const { rows, labels } = syntheticData(2000, 11);
    const model = trainLogistic(rows, labels);
    expect(model.weights[0]).toBeGreaterThan(0.3);
    expect(model.weights[1]).toBeLessThan(-0.3);
    expect(Math.abs(model.weights[2])).toBeLessThan(0.2);
    expect(model.weights[3]).toBeCloseTo(0, 9);
    const scores = rows.map((row) => predictLogistic(model, row));
    expect(rocAuc(scores, labels)).toBeGreaterThan(0.7);
    for (const p of scores) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });

  it('shrinks weights as L2 grows', () => {
    const { rows, labels } = syntheticData(500, 3);
    const loose = trainLogistic(rows, labels, { l2: 0, learningRate: 0.5, iterations: 300 });
    const tight = trainLogistic(rows, labels, { l2: 1, learningRate: 0.5, iterations: 300 });
    expect(Math.abs(tight.weights[0])).toBeLessThan(Math.abs(loose.weights[0]));
  });

  it('refuses a row of the wrong width', () => {
    const model = trainLogistic(
      [
        [1, 2],
        [2, 1],
      ],
      [1, 0],
    );
    expect(() => predictLogistic(model, [1])).toThrow('expects 2 features');
  });
});

describe('stratifiedSplit', () => {
  it('keeps the class balance and is reproducible', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const split = stratifiedSplit(labels, 0.2, 42);
    expect(split.test).toHaveLength(20);
    expect(split.test.filter((i) => labels[i] === 1)).toHaveLength(5);
    expect(new Set([...split.train, ...split.test]).size).toBe(100);
    expect(stratifiedSplit(labels, 0.2, 42)).toEqual(split);
    expect(stratifiedSplit(labels, 0.2, 43)).not.toEqual(split);
  });
});
