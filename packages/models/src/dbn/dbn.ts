/**
 * The deep belief net (Hinton, Osindero & Teh 2006): a stack of RBMs, each trained on the hidden
 * activities of the one below (greedy layer-wise pretraining, pretrain.ts). Once trained the
 * stack is used two ways: unrolled into a sigmoid MLP with a softmax head, an ordinary Module
 * that `fit` fine-tunes with labels; or as a generative model, Gibbs sampling in the top RBM and
 * then one down pass through the lower RBMs' generative weights.
 */
import { noGrad } from '@axon/autograd';
import { type LayerConfig, type Linear, Module, registerLayer, Sequential } from '@axon/layers';
import {
  assign,
  bernoulli,
  checkBoolean,
  checkNonNegativeInt,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  describeValue,
  fmtShape,
  type Generator,
  reshape,
  ShapeError,
  type Tensor,
  Tensor as TensorClass,
  tidy,
  transpose,
  ValueError,
} from '@axon/tensor';
import { show } from '../args';
import { mlp } from '../mlp';
import { RBM_VISIBLE_UNITS, type RbmVisibleUnits } from '../rbm/energy';
import { RBM, type RbmOptions } from '../rbm/rbm';

/** What every RBM of the stack shares (sizes and the bottom's visible units are the DBN's own). */
export type DbnLayerOptions = Omit<RbmOptions, 'visibleSize' | 'hiddenSize' | 'visible'>;

export interface DbnOptions {
  /** Layer widths from the data up, at least two: [784, 500, 500, 2000] stacks three RBMs. */
  sizes: number[];
  /** The bottom RBM's visible units (default 'bernoulli'); every higher layer is binary. */
  visible?: RbmVisibleUnits;
  /** Options of every RBM (k, persistent, sparsity, initStd). */
  layer?: DbnLayerOptions;
}

export interface DbnSampleOptions {
  /** Gibbs steps in the top RBM (default 1000). */
  gibbsSteps?: number;
  /** Data [n, sizes[0]] whose up pass starts the top chain (default: random binary states). */
  start?: Tensor;
  generator?: Generator;
}

export interface DbnUnrollOptions {
  /** Classes of the softmax head (its logits; train with cross-entropy). */
  numClasses: number;
  /** Dropout after each hidden sigmoid, in [0, 1) (default 0). */
  dropout?: number;
  /** Put a Flatten() first, so that images [N, C, H, W] go straight in (default false). */
  flatten?: boolean;
}

/**
 * A DBN, registered as 'DBN' (config: its options), holding its RBMs in `rbms` (a Sequential,
 * state-dict names `rbms.0.weight`, …). `forward(x)` is the up pass: the top layer's p(h | ·).
 */
export class DBN extends Module {
  readonly sizes: readonly number[];
  readonly visible: RbmVisibleUnits;
  readonly layerOptions: DbnLayerOptions;
  readonly rbms: Sequential;

  constructor(options: DbnOptions) {
    super();
    const fn = 'dbn';
    const o = checkOptions(fn, options);
    if (!Array.isArray(o.sizes) || o.sizes.length < 2) {
      throw new ValueError(
        `dbn: expected sizes to be an array of at least two layer widths, got ${show(o.sizes)}`,
      );
    }
    this.sizes = o.sizes.map((s, i) => checkPositiveInt(fn, `sizes[${i}]`, s));
    this.visible = checkOneOf(fn, 'visible', o.visible ?? 'bernoulli', RBM_VISIBLE_UNITS);
    const layer = checkOptions(fn, o.layer ?? {}) as DbnLayerOptions;
    for (const key of ['visibleSize', 'hiddenSize', 'visible']) {
      if (key in layer)
        throw new ValueError(
          `dbn: layer.${key} is set by the DBN (sizes, visible), got ${show((layer as Record<string, unknown>)[key])}`,
        );
    }
    this.layerOptions = { ...layer };
    const rbms = this.sizes.slice(1).map(
      (h, i) =>
        new RBM({
          ...layer,
          visibleSize: this.sizes[i],
          hiddenSize: h,
          visible: i === 0 ? this.visible : 'bernoulli',
        }),
    );
    this.rbms = this.addModule('rbms', new Sequential(...rbms));
  }

  /** The number of RBMs. */
  get depth(): number {
    return this.sizes.length - 1;
  }

  /** The i-th RBM from the bottom. */
  rbm(i: number): RBM {
    const k = checkNonNegativeInt('DBN.rbm', 'i', i);
    if (k >= this.depth)
      throw new ValueError(`DBN.rbm: expected a layer index below ${this.depth}, got ${i}`);
    return this.rbms.layers[k] as RBM;
  }

  private prepare(fn: string, x: unknown): Tensor {
    const V = this.sizes[0];
    if (!(x instanceof TensorClass)) {
      throw new ValueError(`DBN.${fn}: expected x to be a Tensor [N, ${V}], got ${describeValue(x)}`);
    }
    if (x.rank < 2 || x.shape.slice(1).reduce((a, d) => a * d, 1) !== V) {
      throw new ShapeError(
        `DBN.${fn}: expected x [N, ${V}] (or [N, ...] with ${V} values per example), got ${fmtShape(x.shape)}`,
      );
    }
    return x.rank === 2 ? x : reshape(x, [x.shape[0], V]);
  }

  /** The up pass through the first `layers` RBMs (default all): p(h | ·) of each in turn, [N, sizes[layers]]. */
  up(x: Tensor, layers = this.depth): Tensor {
    const n = checkNonNegativeInt('DBN.up', 'layers', layers);
    if (n > this.depth) throw new ValueError(`DBN.up: expected at most ${this.depth} layers, got ${layers}`);
    let h = this.prepare('up', x);
    for (let i = 0; i < n; i++) h = this.rbm(i).hiddenMean(h);
    return h;
  }

  forward(x: Tensor): Tensor {
    return this.up(x);
  }

  /**
   * n draws: a Gibbs chain of `gibbsSteps` in the top RBM (from random binary states, or from the
   * up pass of `start`), then a down pass: binary samples through the middle layers and, at the
   * bottom, the visible means E[v | h₁] [n, sizes[0]]. No gradients.
   */
  sample(n: number, options: DbnSampleOptions = {}): Tensor {
    const fn = 'DBN.sample';
    const count = checkPositiveInt(fn, 'n', n);
    const o = checkOptions(fn, options);
    const steps = checkPositiveInt(fn, 'gibbsSteps', o.gibbsSteps ?? 1000);
    const generator = o.generator as Generator | undefined;
    const top = this.rbm(this.depth - 1);
    return tidy(() =>
      noGrad(() => {
        let v: Tensor;
        if (o.start !== undefined) {
          const x = this.prepare('sample', o.start);
          if (x.shape[0] !== count) {
            throw new ShapeError(
              `${fn}: expected start [${count}, ${this.sizes[0]}] (n rows), got ${fmtShape(x.shape)}`,
            );
          }
          v = this.depth === 1 ? x : bernoulli(this.up(x, this.depth - 1), undefined, { generator });
        } else {
          v = bernoulli(0.5, [count, top.visibleSize], { generator });
        }
        const end = top.gibbs(v, { steps, generator });
        if (this.depth === 1) return top.visibleMean(bernoulli(end.h, undefined, { generator }));
        let state = end.v; // binary states of the top RBM's visible layer
        for (let i = this.depth - 2; i >= 0; i--) {
          const mean = this.rbm(i).visibleMean(state);
          state = i > 0 ? bernoulli(mean, undefined, { generator }) : mean;
        }
        return state;
      }),
    );
  }

  /**
   * The stack unrolled into a classifier: `mlp({inputSize: sizes[0], hiddenSizes: sizes.slice(1),
   * outputSize: numClasses, activation: 'sigmoid', dropout, flatten})` whose hidden Linear layers hold the RBMs'
   * recognition weights (Wᵀ, c); the softmax head (logits) starts at torch's default init. An
   * ordinary Sequential: fine-tune it with `fit` and a cross-entropy loss.
   */
  unroll(options: DbnUnrollOptions): Sequential {
    const o = checkOptions('DBN.unroll', options);
    const numClasses = checkPositiveInt('DBN.unroll', 'numClasses', o.numClasses);
    const dropout = checkProbability('DBN.unroll', 'dropout', o.dropout ?? 0, { exclusiveMax: true });
    const net = mlp({
      inputSize: this.sizes[0],
      hiddenSizes: [...this.sizes.slice(1)],
      outputSize: numClasses,
      activation: 'sigmoid',
      dropout,
      flatten: checkBoolean('DBN.unroll', 'flatten', o.flatten ?? false),
    });
    const linears = net.layers.filter((l) => (l as { weight?: unknown }).weight !== undefined) as Linear[];
    tidy(() =>
      noGrad(() => {
        for (let i = 0; i < this.depth; i++) {
          const r = this.rbm(i);
          assign(linears[i].weight, transpose(r.weight));
          assign(linears[i].bias as Tensor, r.hiddenBias);
        }
      }),
    );
    return net;
  }

  override config(): LayerConfig {
    return { sizes: [...this.sizes], visible: this.visible, layer: { ...this.layerOptions } };
  }

  static fromConfig(config: LayerConfig): DBN {
    return new DBN(config as unknown as DbnOptions);
  }
}

registerLayer('DBN', DBN);

/**
 * Builds a {@link DBN}: `dbn({sizes: [784, 500, 500, 2000]})` is Hinton, Osindero & Teh's MNIST
 * stack (CD-1 in every layer; `layer: {k: 3}` and so on change that). Throws ValueError naming
 * `dbn` and the option.
 */
export function dbn(options: DbnOptions): DBN {
  return new DBN(options);
}
