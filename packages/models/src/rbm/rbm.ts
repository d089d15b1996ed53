/**
 * The restricted Boltzmann machine as a Module (Smolensky 1986; Hinton 2002): its parameters, the
 * conditionals p(h | v) and p(v | h), Gibbs chains, the free energy, and training by contrastive
 * divergence (CD-k) or persistent CD (PCD, Tieleman 2008) through `fit`. The step's loss has the
 * gradient of mean F(data) − mean F(chain end) with the chain held fixed, which is exactly the CD
 * estimate of −∂ log p(data)/∂θ, so `ctx.minimize` applies the CD update with the optimizer's
 * learning rate, momentum and weight decay (SGD, as in Hinton's practical guide). The
 * pure maths is in energy.ts; the partition function in ais.ts (estimated) and exact.ts.
 */
import { noGrad } from '@axon/autograd';
import { type LayerConfig, Module, registerLayer } from '@axon/layers';
import {
  add,
  assign,
  bernoulli,
  checkBoolean,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  clamp,
  describeValue,
  dispose,
  fmtShape,
  type Generator,
  keep,
  log,
  mean,
  mul,
  neg,
  oneHot,
  randint,
  randn,
  reshape,
  ShapeError,
  sigmoid,
  softplus,
  square,
  sub,
  sum,
  type Tensor,
  Tensor as TensorClass,
  tensor,
  tidy,
  ValueError,
  zeros,
} from '@axon/tensor';
import {
  checkBatch,
  checkContext,
  type StepBatch,
  type StepContext,
  type StepLogs,
  type SteppedModel,
} from '../step';
import { type AisOptions, type AisResult, annealedImportanceSampling } from './ais';
import {
  freeEnergyOf,
  hiddenInput,
  RBM_VISIBLE_UNITS,
  type RbmParams,
  type RbmVisibleUnits,
  sampleVisibleFrom,
  visibleEnergy,
  visibleMeanOf,
} from './energy';
import { exactLogPartition } from './exact';

export interface RbmOptions {
  /** Visible units V (an example is [V], or [N, ...] with V values per example). */
  visibleSize: number;
  /** Hidden units H (binary). */
  hiddenSize: number;
  /** 'bernoulli' (default) or 'gaussian' (unit variance: standardise the data first). */
  visible?: RbmVisibleUnits;
  /** Gibbs steps per update, the k of CD-k (default 1). */
  k?: number;
  /** Persistent CD: the negative chains carry on from one update to the next (default false). */
  persistent?: boolean;
  /** Hinton's sparsity target p for the hidden units' mean activity, in (0, 1) (default none). */
  sparsityTarget?: number | null;
  /** The sparsity penalty's weight (default 0.1 when a target is set). */
  sparsityCost?: number;
  /** The decay λ of the running activity estimate q ← λ·q + (1 − λ)·q_batch (default 0.95). */
  sparsityDecay?: number;
  /** Standard deviation of the initial weights N(0, σ²) (default 0.01; biases start at 0). */
  initStd?: number;
}

export interface RbmSampleOptions {
  /** Default: the generator `manualSeed` seeds. */
  generator?: Generator;
}

export interface GibbsOptions extends RbmSampleOptions {
  /** Full v → h → v steps (default 1). */
  steps?: number;
  /** Use each conditional's mean instead of a sample (mean-field, deterministic). */
  meanField?: boolean;
}

export interface ContrastiveDivergenceOptions extends RbmSampleOptions {
  /** Gibbs steps (default the model's k). */
  k?: number;
  /** Mean-field CD: probabilities in place of samples throughout the chain. */
  meanField?: boolean;
  /** Where the negative chain starts (default v0, plain CD; PCD passes its persistent state). */
  start?: Tensor;
}

/** What one CD estimate gives: the loss whose gradient is the update, and the chain's end. */
export interface ContrastiveDivergence {
  /** The surrogate whose gradient is the CD update (+ the sparsity penalty when set): minimise it. */
  loss: Tensor;
  /** p(h | v0) [N, H] (no gradient). */
  hidden0: Tensor;
  /** The chain's last visible state [M, V] and p(h | vk) [M, H] (no gradient). */
  vk: Tensor;
  hk: Tensor;
}

export interface RbmLogLikelihoodOptions extends AisOptions {
  /** log Z when already estimated (from `logPartition`); otherwise AIS runs with these options. */
  logZ?: number;
}

/**
 * A restricted Boltzmann machine, registered as 'RBM' (config: its options), with parameters
 * `weight` [V, H], `visibleBias` [V] and `hiddenBias` [H]. `forward(v)` is p(h = 1 | v), so a
 * Sequential of RBMs is a DBN's up pass.
 *
 * `trainStep` on a batch x [N, V]: the CD-k (or PCD-k) loss with the chain's randomness from
 * `ctx.generator`, minimised with `ctx.minimize` (give fit an SGD with momentum; weight decay on
 * the weights only: `new SGD(rbm.parameterGroups(2e-4), {lr: 0.05, momentum: 0.9})`). Logs
 * `recon`, the squared reconstruction error ‖v − E[v | p(h | v)]‖² per example (the CD loss is a
 * surrogate whose value means nothing). `evalStep` logs `recon`, `free_energy` (mean F(v)) and, for
 * Bernoulli units, `pseudo_ll` (the stochastic pseudo-log-likelihood, nats per example).
 */
export class RBM extends Module implements SteppedModel, RbmParams {
  readonly visibleSize: number;
  readonly hiddenSize: number;
  readonly visible: RbmVisibleUnits;
  readonly k: number;
  readonly persistent: boolean;
  readonly sparsityTarget: number | null;
  readonly sparsityCost: number;
  readonly sparsityDecay: number;
  readonly initStd: number;
  readonly weight: Tensor;
  readonly visibleBias: Tensor;
  readonly hiddenBias: Tensor;
  /** PCD's chains (their visible states), carried between steps; not saved. */
  private chains: Tensor | null = null;
  /** The running estimate q of each hidden unit's mean activity (sparsity only); not saved. */
  private activity: Tensor | null = null;

  constructor(options: RbmOptions) {
    super();
    const fn = 'rbm';
    const o = checkOptions(fn, options);
    this.visibleSize = checkPositiveInt(fn, 'visibleSize', o.visibleSize);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', o.hiddenSize);
    this.visible = checkOneOf(fn, 'visible', o.visible ?? 'bernoulli', RBM_VISIBLE_UNITS);
    this.k = checkPositiveInt(fn, 'k', o.k ?? 1);
    this.persistent = checkBoolean(fn, 'persistent', o.persistent ?? false);
    const target = o.sparsityTarget ?? null;
    this.sparsityTarget =
      target === null
        ? null
        : checkNumber(fn, 'sparsityTarget', target, {
            min: 0,
            max: 1,
            exclusiveMin: true,
            exclusiveMax: true,
          });
    if (target === null && o.sparsityCost !== undefined && o.sparsityCost !== null) {
      throw new ValueError(
        `rbm: sparsityCost applies with a sparsityTarget only, got sparsityCost ${describeValue(o.sparsityCost)} and no target`,
      );
    }
    this.sparsityCost =
      target === null ? 0 : checkNumber(fn, 'sparsityCost', o.sparsityCost ?? 0.1, { min: 0 });
    this.sparsityDecay = checkNumber(fn, 'sparsityDecay', o.sparsityDecay ?? 0.95, {
      min: 0,
      max: 1,
      exclusiveMax: true,
    });
    this.initStd = checkNumber(fn, 'initStd', o.initStd ?? 0.01, { min: 0 });
    const [V, H] = [this.visibleSize, this.hiddenSize];
    this.weight = this.addParameter('weight', mul(randn([V, H]), this.initStd));
    this.visibleBias = this.addParameter('visibleBias', zeros([V]));
    this.hiddenBias = this.addParameter('hiddenBias', zeros([H]));
  }

  /** x as [N, V] (an [N, ...] batch with V values per example is flattened), or a ShapeError. */
  private prepare(fn: string, x: unknown, size = this.visibleSize, what = 'v'): Tensor {
    if (!(x instanceof TensorClass)) {
      throw new ValueError(
        `RBM.${fn}: expected ${what} to be a Tensor [N, ${size}], got ${describeValue(x)}`,
      );
    }
    const per = x.shape.slice(1).reduce((a, d) => a * d, 1);
    if (x.rank < 2 || per !== size) {
      throw new ShapeError(
        `RBM.${fn}: expected ${what} [N, ${size}] (or [N, ...] with ${size} values per example), got ${fmtShape(x.shape)}`,
      );
    }
    return x.rank === 2 ? x : reshape(x, [x.shape[0], size]);
  }

  /** p(h = 1 | v) = σ(v W + c): [N, V] → [N, H]. */
  hiddenMean(v: Tensor): Tensor {
    return sigmoid(hiddenInput(this, this.prepare('hiddenMean', v)));
  }

  /** E[v | h]: σ(h Wᵀ + b) (Bernoulli) or h Wᵀ + b (Gaussian): [N, H] → [N, V]. */
  visibleMean(h: Tensor): Tensor {
    return visibleMeanOf(this, this.prepare('visibleMean', h, this.hiddenSize, 'h'));
  }

  /** A draw h ~ p(h | v), binary [N, H]. */
  sampleHidden(v: Tensor, options: RbmSampleOptions = {}): Tensor {
    const o = checkOptions('RBM.sampleHidden', options);
    return bernoulli(this.hiddenMean(v), undefined, { generator: o.generator as Generator | undefined });
  }

  /** A draw v ~ p(v | h) [N, V]: binary, or Gaussian around the mean with unit variance. */
  sampleVisible(h: Tensor, options: RbmSampleOptions = {}): Tensor {
    const o = checkOptions('RBM.sampleVisible', options);
    return sampleVisibleFrom(this.visible, this.visibleMean(h), o.generator as Generator | undefined);
  }

  /** The chain from v: `steps` times h ~ p(h | v), v ~ p(v | h) (means when meanField); the last v. */
  private chain(
    v: Tensor,
    steps: number,
    meanField: boolean,
    generator: Generator | undefined,
    h0?: Tensor,
  ): Tensor {
    let x = v;
    for (let s = 0; s < steps; s++) {
      const next = tidy(() => {
        const hMean = s === 0 && h0 ? h0 : sigmoid(hiddenInput(this, x));
        const h = meanField ? hMean : bernoulli(hMean, undefined, { generator });
        const vMean = visibleMeanOf(this, h);
        return meanField ? vMean : sampleVisibleFrom(this.visible, vMean, generator);
      });
      if (x !== v) x.dispose(); // each step's state is freed once the next exists: long chains stay small
      x = next;
    }
    return x;
  }

  /**
   * A Gibbs chain started at v: `steps` alternations h ~ p(h | v), v ~ p(v | h). Returns the last
   * v [N, V] and h = p(h | v) at it [N, H]. No gradients.
   */
  gibbs(v: Tensor, options: GibbsOptions = {}): { v: Tensor; h: Tensor } {
    const fn = 'RBM.gibbs';
    const o = checkOptions(fn, options);
    const steps = checkPositiveInt(fn, 'steps', o.steps ?? 1);
    const meanField = checkBoolean(fn, 'meanField', o.meanField ?? false);
    const x = this.prepare('gibbs', v);
    return noGrad(() => {
      const last = this.chain(x, steps, meanField, o.generator as Generator | undefined);
      return { v: last, h: sigmoid(hiddenInput(this, last)) };
    });
  }

  /** E[v | p(h | v)]: the mean-field reconstruction, shaped [N, V]. */
  reconstruct(v: Tensor): Tensor {
    return visibleMeanOf(this, this.hiddenMean(v));
  }

  /** p(h = 1 | v) [N, H]. */
  forward(v: Tensor): Tensor {
    return this.hiddenMean(v);
  }

  /** F(v) = −log Σ_h exp(−E(v, h)) per example [N] (differentiable in v and the parameters). */
  freeEnergy(v: Tensor): Tensor {
    return freeEnergyOf(this, this.prepare('freeEnergy', v));
  }

  /** ‖v − reconstruct(v)‖² per example [N]. */
  reconstructionError(v: Tensor): Tensor {
    const x = this.prepare('reconstructionError', v);
    return sum(square(sub(x, this.reconstruct(x))), [1]);
  }

  /**
   * The pseudo-log-likelihood Σ_i log p(v_i | v_−i) per example [N], Bernoulli units only. With
   * `exact` it sums all V terms (V free energies per example: small models); by default it is the
   * unbiased one-term estimate V·log σ(F(ṽ) − F(v)), ṽ being v with one random unit flipped.
   */
  pseudoLikelihood(v: Tensor, options: RbmSampleOptions & { exact?: boolean } = {}): Tensor {
    const fn = 'RBM.pseudoLikelihood';
    const o = checkOptions(fn, options);
    if (this.visible !== 'bernoulli') {
      throw new ValueError(`${fn}: defined for Bernoulli visible units only, got visible '${this.visible}'`);
    }
    const x = this.prepare('pseudoLikelihood', v);
    const f = freeEnergyOf(this, x);
    const flipped = (mask: Tensor) => add(x, mul(mask, sub(1, mul(x, 2)))); // v_i → 1 − v_i where mask is 1
    // log σ(F(ṽ) − F(v)) = −softplus(F(v) − F(ṽ))
    const term = (mask: Tensor) => neg(softplus(sub(f, freeEnergyOf(this, flipped(mask)))));
    const [N, V] = x.shape;
    if (checkBoolean(fn, 'exact', o.exact ?? false)) {
      let total = zeros([N]);
      for (let i = 0; i < V; i++) {
        total = add(total, term(tensor(Array.from({ length: V }, (_, j) => (j === i ? 1 : 0)))));
      }
      return total;
    }
    const index = randint(0, V, [N], { generator: o.generator as Generator | undefined });
    return mul(term(oneHot(index, V)), V);
  }

  /**
   * The CD-k estimate on a batch v0 [N, V]: a chain of k Gibbs steps from `start` (v0 by default)
   * gives vk, and the loss is a surrogate whose gradient is −(⟨v hᵀ⟩_data − ⟨v hᵀ⟩_chain) for W
   * (and likewise for the biases): the CD update direction, with a minus for `minimize`. It is
   * mean F̃(v0) − mean F̃(vk) with F̃(v) = visibleEnergy(v) − Σ_j p_j·x_j, x = v W + c and
   * p = σ(x) held constant: F̃ has the gradient of the free energy F (∂F/∂x = −σ(x)) without
   * differentiating softplus; its value is not F. With a sparsity target the loss adds
   * cost·Σ_j (q_j − p)·mean(x_j) over v0's hidden inputs, whose gradient is Hinton's sparsity
   * update (q − p per unit) for c and W.
   */
  contrastiveDivergence(v0: Tensor, options: ContrastiveDivergenceOptions = {}): ContrastiveDivergence {
    const fn = 'RBM.contrastiveDivergence';
    const o = checkOptions(fn, options);
    const k = checkPositiveInt(fn, 'k', o.k ?? this.k);
    const meanField = checkBoolean(fn, 'meanField', o.meanField ?? false);
    const x = this.prepare('contrastiveDivergence', v0);
    const start =
      o.start === undefined ? x : this.prepare('contrastiveDivergence', o.start, this.visibleSize, 'start');
    const input0 = hiddenInput(this, x);
    const hidden0 = noGrad(() => sigmoid(input0));
    const generator = o.generator as Generator | undefined;
    const vk = noGrad(() => this.chain(start, k, meanField, generator, start === x ? hidden0 : undefined));
    const inputK = hiddenInput(this, vk);
    const hk = noGrad(() => sigmoid(inputK));
    const surrogate = (v: Tensor, input: Tensor, p: Tensor) =>
      mean(sub(visibleEnergy(this.visible, v, this.visibleBias), sum(mul(p, input), [1])));
    let loss = sub(surrogate(x, input0, hidden0), surrogate(vk, inputK, hk));
    if (this.sparsityTarget !== null && this.sparsityCost > 0) {
      const q = noGrad(() => this.updateActivity(hidden0));
      loss = add(loss, mul(sum(mul(sub(q, this.sparsityTarget), mean(input0, [0]))), this.sparsityCost));
    }
    return { loss, hidden0, vk, hk };
  }

  /** q ← λ·q + (1 − λ)·mean(p(h | v)) over the batch (q starts at the first batch's mean); returns q. */
  private updateActivity(hidden0: Tensor): Tensor {
    const batch = mean(hidden0, [0]);
    const next = this.activity
      ? add(mul(this.activity, this.sparsityDecay), mul(batch, 1 - this.sparsityDecay))
      : batch;
    if (this.activity) this.activity.dispose();
    this.activity = keep(next.clone());
    return next;
  }

  /** Drops PCD's chains (and the sparsity estimate): the next step starts them afresh from its batch. */
  resetChains(): void {
    dispose([this.chains, this.activity].filter((t): t is Tensor => t !== null));
    this.chains = null;
    this.activity = null;
  }

  /**
   * One CD-k (or PCD-k) update on `batch.x` (labels ignored), its randomness from `ctx.generator`,
   * applied by `ctx.minimize`. PCD's chains start from the first batch and are kept across steps.
   */
  trainStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const { x } = checkBatch('RBM.trainStep', batch);
    const context = checkContext('RBM.trainStep', ctx);
    const v0 = this.prepare('trainStep', x, this.visibleSize, 'batch.x');
    const start = this.persistent && this.chains ? this.chains : undefined;
    const cd = this.contrastiveDivergence(v0, { generator: context.generator, start });
    if (this.persistent) {
      if (this.chains) this.chains.dispose();
      this.chains = keep(cd.vk.clone());
    }
    const recon = noGrad(() => mean(sum(square(sub(v0, visibleMeanOf(this, cd.hidden0))), [1])));
    context.minimize(cd.loss);
    return { recon };
  }

  /** Reconstruction error, mean free energy and (Bernoulli) the pseudo-log-likelihood of `batch.x`. */
  evalStep(batch: StepBatch, ctx: StepContext): StepLogs {
    const { x } = checkBatch('RBM.evalStep', batch);
    const context = checkContext('RBM.evalStep', ctx);
    const v = this.prepare('evalStep', x, this.visibleSize, 'batch.x');
    const logs: StepLogs = {
      recon: mean(this.reconstructionError(v)),
      free_energy: mean(this.freeEnergy(v)),
    };
    if (this.visible === 'bernoulli')
      logs.pseudo_ll = mean(this.pseudoLikelihood(v, { generator: context.generator }));
    return logs;
  }

  /** log Z estimated by annealed importance sampling (see ais.ts for the options and the result). */
  logPartition(options: AisOptions = {}): AisResult {
    return annealedImportanceSampling(this, options);
  }

  /** log Z exactly, by enumerating the 2^H hidden states (H ≤ 24). */
  exactLogPartition(): number {
    return exactLogPartition(this);
  }

  /**
   * log p(v) = −F(v) − log Z per example [N], with `logZ` given or estimated by AIS (the options
   * then go to `logPartition`). An AIS log Z that is too low makes these too high.
   */
  logLikelihood(v: Tensor, options: RbmLogLikelihoodOptions = {}): Tensor {
    const o = checkOptions('RBM.logLikelihood', options);
    const x = this.prepare('logLikelihood', v);
    const { logZ, ...ais } = o as RbmLogLikelihoodOptions;
    const z =
      logZ === undefined ? this.logPartition(ais).logZ : checkNumber('RBM.logLikelihood', 'logZ', logZ);
    return sub(neg(this.freeEnergy(x)), z);
  }

  /**
   * Sets the visible biases from data [N, V] as Hinton's guide advises: log(p / (1 − p)) of each
   * unit's mean p (clamped to [0.001, 0.999]) for Bernoulli units, the mean for Gaussian ones.
   */
  setVisibleBiasFromData(x: Tensor): this {
    const v = this.prepare('setVisibleBiasFromData', x, this.visibleSize, 'x');
    tidy(() =>
      noGrad(() => {
        const m = mean(v, [0]);
        const p = clamp(m, 0.001, 0.999);
        assign(this.visibleBias, this.visible === 'bernoulli' ? sub(log(p), log(sub(1, p))) : m);
      }),
    );
    return this;
  }

  /**
   * Parameter groups for an optimizer that decays the weights only (Hinton's guide):
   * `new SGD(rbm.parameterGroups(2e-4), {lr, momentum})`.
   */
  parameterGroups(weightDecay: number): { params: Tensor[]; weightDecay: number }[] {
    const wd = checkNumber('RBM.parameterGroups', 'weightDecay', weightDecay, { min: 0 });
    return [
      { params: [this.weight], weightDecay: wd },
      { params: [this.visibleBias, this.hiddenBias], weightDecay: 0 },
    ];
  }

  override dispose(): void {
    this.resetChains();
    super.dispose();
  }

  override config(): LayerConfig {
    return {
      visibleSize: this.visibleSize,
      hiddenSize: this.hiddenSize,
      visible: this.visible,
      k: this.k,
      persistent: this.persistent,
      sparsityTarget: this.sparsityTarget,
      ...(this.sparsityTarget !== null ? { sparsityCost: this.sparsityCost } : {}),
      sparsityDecay: this.sparsityDecay,
      initStd: this.initStd,
    };
  }

  static fromConfig(config: LayerConfig): RBM {
    return new RBM(config as unknown as RbmOptions);
  }
}

registerLayer('RBM', RBM);

/**
 * Builds an {@link RBM}: `rbm({visibleSize: 784, hiddenSize: 500})` is a binary RBM for MNIST
 * (CD-1); `k: 25` gives CD-25, `persistent: true` PCD; `visible: 'gaussian'` models real-valued
 * (standardised) data. Weights start N(0, 0.01²) from the default generator. Throws ValueError
 * naming `rbm` and the option.
 */
export function rbm(options: RbmOptions): RBM {
  return new RBM(options);
}
