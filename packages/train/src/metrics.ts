import {
  arange,
  argmax,
  cast,
  checkPositiveInt,
  eq,
  fmtShape,
  gather,
  gt,
  logicalAnd,
  logicalOr,
  lt,
  mean,
  ne,
  reshape,
  ShapeError,
  sum,
  type Tensor,
  unsqueeze,
  ValueError,
} from '@axon/tensor';

/**
 * A metric to track during fit/evaluate:
 * - 'accuracy': argmax of the prediction's last axis against integer class targets (the
 *   prediction's shape without its last axis) or one-hot / probability targets (the prediction's
 *   shape, compared by argmax);
 * - 'topk:K' (e.g. 'topk:5'): the target class is among the K highest scores (a tie ranks
 *   the lower class index first, as argmax does);
 * - 'binaryAccuracy' or 'binaryAccuracy:T': prediction > T (default 0.5; use 0 for logits) against
 *   target > 0.5, elementwise;
 * - a custom {name, fn}: fn(pred, target) gives the batch's value, averaged over the epoch weighted
 *   by batch size.
 */
export type MetricSpec =
  | 'accuracy'
  | 'binaryAccuracy'
  | `binaryAccuracy:${number}`
  | `topk:${number}`
  | CustomMetric;

export interface CustomMetric {
  name: string;
  fn: (pred: Tensor, target: Tensor) => number | Tensor;
}

/** Sums over the batches of an epoch: a metric's value is total / count. */
export interface MetricAccumulator {
  readonly name: string;
  update(pred: Tensor, target: Tensor, batchSize: number): void;
  /**
   * The batch's value as a device scalar (a number only for a custom metric that returns one),
   * with nothing read back but class-index targets for their range check (host data on every
   * backend): fit's supervised step under `logEvery` averages these over the batches, weighted by
   * batch size, which equals the counted ratio when each row of a batch has as many positions.
   */
  batchValue(pred: Tensor, target: Tensor): Tensor | number;
  value(): number;
  reset(): void;
}

/** Correct predictions and positions counted, for accuracy-like metrics. */
export interface Count {
  correct: number;
  total: number;
}

/** Share of positions where argmax(pred, -1) is the target class. */
export function accuracy(pred: Tensor, target: Tensor): number {
  const c = countAccuracy(pred, target);
  return c.total === 0 ? Number.NaN : c.correct / c.total;
}

/** Share of positions whose target class is among the k highest scores of pred's last axis. */
export function topKAccuracy(pred: Tensor, target: Tensor, k: number): number {
  const c = countTopK(pred, target, k);
  return c.total === 0 ? Number.NaN : c.correct / c.total;
}

/** Share of elements where (pred > threshold) equals (target > 0.5). */
export function binaryAccuracy(pred: Tensor, target: Tensor, threshold = 0.5): number {
  const c = countBinary(pred, target, threshold);
  return c.total === 0 ? Number.NaN : c.correct / c.total;
}

export function countAccuracy(pred: Tensor, target: Tensor): Count {
  return countTopK(pred, target, 1, 'accuracy');
}

export function countTopK(pred: Tensor, target: Tensor, k: number, name = `topk:${k}`): Count {
  const { classes, rows, labels } = classTargets(name, pred, target);
  checkPositiveInt(name, 'k', k);
  if (k > classes) {
    throw new ValueError(`${name}: k = ${k} is more than the prediction's ${classes} classes`);
  }
  const p = pred.dataSync();
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    const base = r * classes;
    const score = p[base + label];
    if (Number.isNaN(score)) continue;
    // Rank of the target's score: how many classes score higher, or tie with a lower index (so a
    // tie resolves as argmax does, to the first index).
    let above = 0;
    for (let c = 0; c < classes && above < k; c++) {
      const v = p[base + c];
      if (v > score || (v === score && c < label) || Number.isNaN(v)) above++;
    }
    if (above < k) correct++;
  }
  return { correct, total: rows };
}

export function countBinary(pred: Tensor, target: Tensor, threshold = 0.5): Count {
  if (pred.size !== target.size) {
    throw new ShapeError(
      `binaryAccuracy: prediction ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} differ in size`,
    );
  }
  const p = pred.dataSync();
  const t = target.dataSync();
  let correct = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > threshold === t[i] > 0.5) correct++;
  return { correct, total: p.length };
}

/** Class index per position: from integer targets, or by argmax of one-hot targets. */
function classTargets(
  name: string,
  pred: Tensor,
  target: Tensor,
): { classes: number; rows: number; labels: Int32Array } {
  if (pred.rank < 1)
    throw new ShapeError(`${name}: expected a prediction [..., classes], got ${fmtShape(pred.shape)}`);
  const classes = pred.shape[pred.rank - 1];
  const rows = classes === 0 ? 0 : pred.size / classes;
  const lead = pred.shape.slice(0, -1);
  const labels = new Int32Array(rows);
  if (target.shape.join() === pred.shape.join()) {
    if (classes < 2) {
      throw new ShapeError(
        `${name}: prediction ${fmtShape(pred.shape)} has a single class; use 'binaryAccuracy' for one output`,
      );
    }
    const t = target.dataSync();
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (t[r * classes + c] > t[r * classes + best]) best = c;
      labels[r] = best;
    }
    return { classes, rows, labels };
  }
  if (target.shape.join() !== lead.join()) {
    throw new ShapeError(
      `${name}: expected target ${fmtShape(lead)} (class indices) or ${fmtShape(pred.shape)} (one-hot), got ${fmtShape(target.shape)}`,
    );
  }
  if (classes < 2) {
    throw new ShapeError(
      `${name}: prediction ${fmtShape(pred.shape)} has a single class; use 'binaryAccuracy' for one output`,
    );
  }
  const t = target.dataSync();
  for (let r = 0; r < rows; r++) {
    const v = t[r];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(`${name}: target class ${v} is out of range [0, ${classes})`);
    }
    labels[r] = v;
  }
  return { classes, rows, labels };
}

/** The logs key a metric spec reports under ('accuracy', 'top5_accuracy', 'binary_accuracy', custom name). */
export function metricName(spec: MetricSpec): string {
  return createMetric(spec).name;
}

export function createMetric(spec: MetricSpec): MetricAccumulator {
  if (typeof spec === 'object' && spec !== null) {
    if (typeof spec.name !== 'string' || !spec.name || typeof spec.fn !== 'function') {
      throw new ValueError(
        'metrics: a custom metric is {name: string, fn: (pred, target) => number | Tensor}',
      );
    }
    return new MeanMetric(spec.name, spec.fn);
  }
  if (spec === 'accuracy')
    return new CountMetric('accuracy', countAccuracy, (p, t) => topKShare(p, t, 1, 'accuracy'));
  if (typeof spec === 'string') {
    const top = /^topk:(\d+)$/.exec(spec);
    if (top) {
      const k = Number(top[1]);
      if (k < 1) throw new ValueError(`metrics: '${spec}': k must be at least 1`);
      return new CountMetric(
        `top${k}_accuracy`,
        (p, t) => countTopK(p, t, k, spec),
        (p, t) => topKShare(p, t, k, spec),
      );
    }
    const bin = /^binaryAccuracy(?::(.+))?$/.exec(spec);
    if (bin) {
      const threshold = bin[1] === undefined ? 0.5 : Number(bin[1]);
      if (!Number.isFinite(threshold))
        throw new ValueError(`metrics: '${spec}': the threshold is not a number`);
      return new CountMetric(
        'binary_accuracy',
        (p, t) => countBinary(p, t, threshold),
        (p, t) => binaryShare(p, t, threshold),
      );
    }
  }
  throw new ValueError(
    `metrics: unknown metric ${JSON.stringify(spec)} (known: 'accuracy', 'topk:K', 'binaryAccuracy[:threshold]', or {name, fn})`,
  );
}

class CountMetric implements MetricAccumulator {
  private correct = 0;
  private total = 0;
  constructor(
    readonly name: string,
    private readonly count: (pred: Tensor, target: Tensor) => Count,
    private readonly share: (pred: Tensor, target: Tensor) => Tensor,
  ) {}
  batchValue(pred: Tensor, target: Tensor): Tensor {
    return this.share(pred, target);
  }
  update(pred: Tensor, target: Tensor): void {
    const c = this.count(pred, target);
    this.correct += c.correct;
    this.total += c.total;
  }
  value(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }
  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

class MeanMetric implements MetricAccumulator {
  private sum = 0;
  private weight = 0;
  constructor(
    readonly name: string,
    private readonly fn: (pred: Tensor, target: Tensor) => number | Tensor,
  ) {}
  batchValue(pred: Tensor, target: Tensor): Tensor | number {
    return this.fn(pred, target);
  }
  update(pred: Tensor, target: Tensor, batchSize: number): void {
    const r = this.fn(pred, target);
    const v = typeof r === 'number' ? r : r.item();
    this.sum += v * batchSize;
    this.weight += batchSize;
  }
  value(): number {
    return this.weight === 0 ? Number.NaN : this.sum / this.weight;
  }
  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}

/**
 * The share of positions whose target class ranks among the k highest scores, on the device: a
 * class ranks above the target's when it scores higher, or ties with a lower index (argmax's
 * order). The targets are checked as countTopK checks them.
 */
function topKShare(pred: Tensor, target: Tensor, k: number, name: string): Tensor {
  const { classes } = classTargets(name, pred, target);
  checkPositiveInt(name, 'k', k);
  if (k > classes) {
    throw new ValueError(`${name}: k = ${k} is more than the prediction's ${classes} classes`);
  }
  const labels = target.rank === pred.rank ? argmax(target, -1) : cast(target, 'int32');
  const at = unsqueeze(labels, -1);
  const score = gather(pred, pred.rank - 1, at);
  const before = lt(arange(0, classes, 1, 'int32'), at);
  // A NaN score counts as above, as on the host.
  const higher = logicalOr(gt(pred, score), ne(pred, pred));
  const above = sum(logicalOr(higher, logicalAnd(eq(pred, score), before)), -1);
  return mean(cast(lt(above, k), 'float32'));
}

/** The share of elements where (pred > threshold) equals (target > 0.5), on the device. */
function binaryShare(pred: Tensor, target: Tensor, threshold: number): Tensor {
  if (pred.size !== target.size) {
    throw new ShapeError(
      `binaryAccuracy: prediction ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} differ in size`,
    );
  }
  return mean(cast(eq(gt(pred, threshold), gt(reshape(target, pred.shape), 0.5)), 'float32'));
}
