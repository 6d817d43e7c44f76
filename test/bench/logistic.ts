/** Logistic regression by plain batch gradient descent on the log loss: a handful of weights need nothing more. */

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Weights [bias, ...one per feature]. */
export function fitLogistic(xs: readonly number[][], ys: readonly number[], steps = 20000, rate = 0.5): number[] {
  const w = new Array<number>((xs[0]?.length ?? 0) + 1).fill(0);
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(w.length).fill(0);
    xs.forEach((x, i) => {
      const z = w[0]! + x.reduce((sum, v, j) => sum + v * w[j + 1]!, 0);
      const err = sigmoid(z) - ys[i]!;
      grad[0] = grad[0]! + err;
      x.forEach((v, j) => (grad[j + 1] = grad[j + 1]! + err * v));
    });
    for (let j = 0; j < w.length; j++) w[j] = w[j]! - (rate * grad[j]!) / xs.length;
  }
  return w;
}
