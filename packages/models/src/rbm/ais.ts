/**
 * Annealed importance sampling (Neal 2001) for the partition function of an RBM, as Salakhutdinov
 * & Murray (2008) use it: anneal from a base model A with visible biases only (so log Z_A is
 * exact) to the RBM B through the intermediate distributions
 *
 *     f_β(v) = exp((1 − β)·(−E_A(v)) + β·(−E_B,vis(v))) · Π_j (1 + exp(β·(v W + c)_j)),
 *
 * with 0 = β₀ < β₁ < … < β_K = 1. Each of M independent runs draws v ~ p_A, then alternates
 * "add log f_βk(v) − log f_βk−1(v) to the log-weight" with one Gibbs step that leaves p_βk
 * invariant. Then Z_B / Z_A ≈ mean of the weights, and log Z_B ≈ log Z_A + log mean exp(log w).
 * Unbiased in Z, so (by Jensen) it tends to underestimate log Z: more βs and runs help.
 */
import { noGrad } from '@axon/autograd';
import {
  add,
  bernoulli,
  cast,
  checkOptions,
  checkPositiveInt,
  describeValue,
  dispose,
  expand,
  fmtShape,
  type Generator,
  matmul,
  mul,
  randn,
  ShapeError,
  sigmoid,
  softplus,
  sub,
  sum,
  type Tensor,
  Tensor as TensorClass,
  tidy,
  zeros,
} from '@axon/tensor';
import { hiddenInput, type RbmParams, sampleVisibleFrom, visibleEnergy } from './energy';

export interface AisOptions {
  /** Intermediate distributions K (default 14,500, Salakhutdinov & Murray's schedule). */
  numBetas?: number;
  /** Independent annealing runs M (default 100). */
  runs?: number;
  /** Where the runs' randomness comes from (default: the generator `manualSeed` seeds). */
  generator?: Generator;
  /**
   * The base model's visible biases b_A [V]. Default: zeros for Bernoulli units (the uniform
   * distribution), the RBM's own visible biases for Gaussian ones (N(b, I)). For data, the
   * base-rate biases log(p̄ / (1 − p̄)) of the training pixels make the annealing much easier.
   */
  baseVisibleBias?: Tensor;
}

export interface AisResult {
  /** The estimate of log Z_B: log Z_A + log mean exp(log w). */
  logZ: number;
  /** log Z_A + log(mean(w) − 3·sd(w)/√M) and log(mean(w) + 3·sd(w)/√M) (−Infinity when the lower bracket is ≤ 0). */
  logZLow: number;
  logZHigh: number;
  /** The base model's exact log Z_A. */
  logZBase: number;
  /** The M runs' log-weights. */
  logWeights: number[];
  numBetas: number;
  runs: number;
}

/**
 * The βs: K + 1 values from 0 to 1, spaced evenly within [0, 0.5], [0.5, 0.9] and [0.9, 1] with
 * 500 : 4000 : 10000 of the steps (Salakhutdinov & Murray's 14,500-step schedule, scaled to K).
 */
export function aisBetas(numBetas: number): number[] {
  const K = checkPositiveInt('aisBetas', 'numBetas', numBetas);
  const n1 = Math.round((K * 500) / 14500);
  const n2 = Math.round((K * 4000) / 14500);
  const n3 = K - n1 - n2;
  const betas = [0];
  const segment = (from: number, to: number, n: number) => {
    for (let i = 1; i <= n; i++) betas.push(from + ((to - from) * i) / n);
  };
  segment(0, n1 > 0 ? 0.5 : 0, n1);
  segment(betas[betas.length - 1], n3 > 0 ? 0.9 : 1, n2);
  segment(betas[betas.length - 1], 1, n3);
  betas[K] = 1;
  return betas;
}

/** log Z_A of the base model: Σ softplus(b_A) + H·log 2 (Bernoulli) or V/2·log 2π + H·log 2 (Gaussian). */
function baseLogPartition(p: RbmParams, bA: Tensor): number {
  const H = p.weight.shape[1];
  const visible =
    p.visible === 'bernoulli'
      ? tidy(() => sum(softplus(cast(bA, 'float64'))).item())
      : (bA.shape[0] / 2) * Math.log(2 * Math.PI);
  return visible + H * Math.LN2;
}

/** log mean exp(x) and log(mean ± 3 sd/√M) of the weights exp(x), computed relative to max(x). */
function logMeanExpWithBracket(x: number[]): { mid: number; low: number; high: number } {
  const m = Math.max(...x);
  const w = x.map((a) => Math.exp(a - m));
  const mean = w.reduce((s, a) => s + a, 0) / w.length;
  const sd = Math.sqrt(w.reduce((s, a) => s + (a - mean) ** 2, 0) / Math.max(1, w.length - 1));
  const half = (3 * sd) / Math.sqrt(w.length);
  return {
    mid: m + Math.log(mean),
    low: mean - half > 0 ? m + Math.log(mean - half) : Number.NEGATIVE_INFINITY,
    high: m + Math.log(mean + half),
  };
}

/** Estimates log Z of the RBM `p` by AIS; see the file head. Runs without gradients. */
export function annealedImportanceSampling(p: RbmParams, options: AisOptions = {}): AisResult {
  const fn = 'annealedImportanceSampling';
  const o = checkOptions(fn, options);
  const K = checkPositiveInt(fn, 'numBetas', o.numBetas ?? 14500);
  const M = checkPositiveInt(fn, 'runs', o.runs ?? 100);
  const generator = o.generator as Generator | undefined;
  const [V] = p.weight.shape;
  const given = o.baseVisibleBias;
  if (given !== undefined && (!(given instanceof TensorClass) || given.rank !== 1 || given.shape[0] !== V)) {
    const got = given instanceof TensorClass ? fmtShape(given.shape) : describeValue(given);
    throw new ShapeError(`${fn}: expected baseVisibleBias [${V}] (one per visible unit), got ${got}`);
  }
  const betas = aisBetas(K);
  return noGrad(() => {
    const bA = given ?? (p.visible === 'bernoulli' ? zeros([V]) : p.visibleBias);
    const logZBase = baseLogPartition(p, bA);
    let v = tidy(() => {
      const mean = expand(p.visible === 'bernoulli' ? sigmoid(bA) : bA, [M, V]);
      return p.visible === 'bernoulli'
        ? bernoulli(mean, undefined, { generator })
        : add(mean, randn([M, V], { generator }));
    });
    let logW = zeros([M], 'float64');
    for (let k = 1; k <= K; k++) {
      const [b0, b1] = [betas[k - 1], betas[k]];
      const next = tidy(() => {
        const input = hiddenInput(p, v);
        // log f_β1(v) − log f_β0(v): the visible terms move by (β1 − β0)·(E_A − E_B), the
        // hidden ones from softplus(β0·x) to softplus(β1·x).
        const visibleStep = mul(
          sub(visibleEnergy(p.visible, v, bA), visibleEnergy(p.visible, v, p.visibleBias)),
          b1 - b0,
        );
        // (differences per unit first: they are small, and float32 sums of them stay accurate)
        const hiddenStep = sum(sub(softplus(mul(input, b1)), softplus(mul(input, b0))), [1]);
        const w = add(logW, cast(add(visibleStep, hiddenStep), 'float64'));
        if (k === K) return { w, v };
        // One Gibbs step at β1: h ~ σ(β1·(v W + c)), then v given β1·(h Wᵀ + b_B) + (1 − β1)·b_A.
        const h = bernoulli(sigmoid(mul(input, b1)), undefined, { generator });
        const vInput = add(
          mul(add(matmul(h, p.weight, { transposeB: true }), p.visibleBias), b1),
          mul(bA, 1 - b1),
        );
        const mean = p.visible === 'bernoulli' ? sigmoid(vInput) : vInput;
        return { w, v: sampleVisibleFrom(p.visible, mean, generator) };
      });
      if (next.v !== v) dispose(v);
      dispose(logW);
      v = next.v;
      logW = next.w;
    }
    const logWeights = Array.from(logW.dataSync());
    dispose([v, logW]);
    if (given === undefined && p.visible === 'bernoulli') dispose(bA);
    const { mid, low, high } = logMeanExpWithBracket(logWeights);
    return {
      logZ: logZBase + mid,
      logZLow: logZBase + low,
      logZHigh: logZBase + high,
      logZBase,
      logWeights,
      numBetas: K,
      runs: M,
    };
  });
}
