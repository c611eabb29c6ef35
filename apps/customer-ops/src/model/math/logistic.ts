/** A trained logistic-regression model over standardised inputs. Plain data: stored as JSON. */
export interface LogisticModel {
  weights: number[];
  bias: number;
  means: number[];
  stds: number[];
}

export interface TrainingOptions {
  /** L2 penalty on the weights (not the bias). */
  l2: number;
  learningRate: number;
  iterations: number;
}

export const DEFAULT_TRAINING: TrainingOptions = { l2: 0.01, learningRate: 0.5, iterations: 400 };

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Column means and standard deviations; a constant column gets std 1 (it then contributes 0). */
function standardisation(rows: readonly number[][]): { means: number[]; stds: number[] } {
  const width = rows[0]?.length ?? 0;
  const means = new Array<number>(width).fill(0);
  const stds = new Array<number>(width).fill(0);
  for (const row of rows) row.forEach((v, j) => (means[j] += v / rows.length));
  for (const row of rows) row.forEach((v, j) => (stds[j] += (v - means[j]) ** 2 / rows.length));
  return { means, stds: stds.map((variance) => (variance > 1e-12 ? Math.sqrt(variance) : 1)) };
}

/**
 * Full-batch gradient descent on the regularised log-loss. Deterministic: the same rows,
 * labels and options always give the same model.
 */
export function trainLogistic(
  rows: readonly number[][],
  labels: readonly number[],
  options = DEFAULT_TRAINING,
): LogisticModel {
  if (rows.length === 0) throw new Error('no training rows');
  const { means, stds } = standardisation(rows);
  const x = rows.map((row) => row.map((v, j) => (v - means[j]) / stds[j]));
  const width = means.length;
  const weights = new Array<number>(width).fill(0);
  let bias = 0;
  const n = x.length;
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const gradient = new Array<number>(width).fill(0);
    let gradientBias = 0;
    for (let i = 0; i < n; i++) {
      let z = bias;
      for (let j = 0; j < width; j++) z += weights[j] * x[i][j];
      const error = sigmoid(z) - labels[i];
      gradientBias += error / n;
      for (let j = 0; j < width; j++) gradient[j] += (error * x[i][j]) / n;
    }
    for (let j = 0; j < width; j++) weights[j] -= options.learningRate * (gradient[j] + options.l2 * weights[j]);
    bias -= options.learningRate * gradientBias;
  }
  return { weights, bias, means, stds };
}

export function predictLogistic(model: LogisticModel, row: readonly number[]): number {
  if (row.length !== model.weights.length) {
    throw new Error(`model expects ${model.weights.length} features, got ${row.length}`);
  }
  let z = model.bias;
  for (let j = 0; j < row.length; j++) z += model.weights[j] * ((row[j] - model.means[j]) / model.stds[j]);
  const p = sigmoid(z);
  if (!Number.isFinite(p)) throw new Error('model produced a non-finite probability');
  return p;
}
