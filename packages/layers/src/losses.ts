/**
 * Loss modules, after torch.nn's: thin Modules over the functional losses of @axon/tensor
 * (`mse`, `crossEntropy`, `nll`, `binaryCrossEntropy`, `binaryCrossEntropyWithLogits`,
 * `klDivGaussian`, `hinge`, `multiMargin`), which are their functional cores. Each takes its
 * options once, in the constructor, and `forward(input, target)` returns the loss.
 *
 * A weight tensor given as an option is copied into a buffer under PyTorch's name (`weight`,
 * `pos_weight`), so it moves with `stateDict()`; `config()` also holds its values, so that
 * `fromSpec(specOf(loss))` gives back the same loss on its own.
 */
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  type DType,
  fmtShape,
  hinge,
  type KlReduction,
  klDivGaussian,
  mse,
  multiMargin,
  nll,
  type Reduction,
  Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';
import { type LayerConfig, Module } from './module';
import { registerLayer } from './registry';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];
const KL_REDUCTIONS: readonly KlReduction[] = ['none', 'mean', 'sum', 'batchmean'];

/** A weight tensor in a loss's config: its shape, dtype and flat row-major values. */
export interface TensorConfig {
  shape: number[];
  dtype: DType;
  data: number[];
}

function checkReductionOption<R extends string>(layer: string, reduction: unknown, allowed: readonly R[]): R {
  if (!allowed.includes(reduction as R)) {
    const list = allowed.map((r) => `'${r}'`).join(', ');
    const got = typeof reduction === 'string' ? `'${reduction}'` : String(reduction);
    throw new ValueError(`${layer}: reduction must be one of ${list}, got ${got}`);
  }
  return reduction as R;
}

function checkNumber(layer: string, label: string, v: unknown, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new ValueError(
      `${layer}: expected '${label}' to be a finite ${integer ? 'integer' : 'number'}, got ${String(v)}`,
    );
  }
  return v;
}

function checkOptions(layer: string, options: unknown): void {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ValueError(`${layer}: expected an options object, got ${JSON.stringify(options)}`);
  }
}

/** A weight option as a fresh float tensor (the caller's tensor is not kept), or null. */
function weightTensor(layer: string, label: string, w: unknown): Tensor | null {
  if (w === undefined || w === null) return null;
  if (!(w instanceof Tensor)) throw new ValueError(`${layer}: expected '${label}' to be a Tensor or null`);
  if (w.dtype !== 'float32' && w.dtype !== 'float64') {
    throw new ValueError(`${layer}: expected '${label}' to be float32 or float64, got ${w.dtype}`);
  }
  return tensor(w.dataSync(), { shape: w.shape, dtype: w.dtype });
}

function weightToConfig(w: Tensor | null): TensorConfig | null {
  return w ? { shape: [...w.shape], dtype: w.dtype, data: Array.from(w.dataSync()) } : null;
}

function weightFromConfig(layer: string, label: string, c: unknown): Tensor | null {
  if (c === undefined || c === null) return null;
  const t = c as Partial<TensorConfig>;
  if (!Array.isArray(t.shape) || !Array.isArray(t.data) || (t.dtype !== 'float32' && t.dtype !== 'float64')) {
    throw new ValueError(`${layer}: config '${label}' must be {shape, dtype: 'float32' | 'float64', data}`);
  }
  return tensor(t.data, { shape: t.shape, dtype: t.dtype });
}

/**
 * Runs a functional loss, renaming its errors to the module: `mse: expected 'target' of shape
 * [2, 3], got [2, 4]` becomes `MSELoss: expected ...` (same error class).
 */
function asLayer<T>(layer: string, fn: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${fn}: `)) {
      e.message = `${layer}: ${e.message.slice(fn.length + 2)}`;
    }
    throw e;
  }
}

/** What every loss module shares: a reduction, and forward(input, target) → loss. */
export abstract class Loss extends Module {
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

export interface LossOptions {
  reduction?: Reduction;
}

/** torch.nn.MSELoss: mean (or sum) of (input − target)² over all elements. */
export class MSELoss extends Loss {
  readonly reduction: Reduction;

  constructor(options: LossOptions = {}) {
    super();
    checkOptions('MSELoss', options);
    this.reduction = checkReductionOption('MSELoss', options.reduction ?? 'mean', REDUCTIONS);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('MSELoss', 'mse', () => mse(input, target, { reduction: this.reduction }));
  }

  override config(): LayerConfig {
    return { reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): MSELoss {
    return new MSELoss(config as LossOptions);
  }
}

export interface NLLLossOptions extends LossOptions {
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute 0 and are left out of the mean (default -100). */
  ignoreIndex?: number;
}

/** torch.nn.NLLLoss: log-probabilities [N, C, ...] and int32 class indices [N, ...]. */
export class NLLLoss extends Loss {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly weight: Tensor | null;

  constructor(options: NLLLossOptions = {}) {
    super();
    checkOptions('NLLLoss', options);
    this.reduction = checkReductionOption('NLLLoss', options.reduction ?? 'mean', REDUCTIONS);
    this.ignoreIndex = checkNumber('NLLLoss', 'ignoreIndex', options.ignoreIndex ?? -100, true);
    const w = weightTensor('NLLLoss', 'weight', options.weight);
    if (w && w.rank !== 1)
      throw new ValueError(`NLLLoss: expected 'weight' of shape [C], got ${fmtShape(w.shape)}`);
    this.weight = w ? this.addBuffer('weight', w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('NLLLoss', 'nll', () =>
      nll(input, target, { weight: this.weight, reduction: this.reduction, ignoreIndex: this.ignoreIndex }),
    );
  }

  override config(): LayerConfig {
    return { weight: weightToConfig(this.weight), ignoreIndex: this.ignoreIndex, reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): NLLLoss {
    return new NLLLoss({ ...config, weight: weightFromConfig('NLLLoss', 'weight', config.weight) });
  }
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** In [0, 1]: mixes the target with the uniform distribution over the C classes. */
  labelSmoothing?: number;
}

/**
 * torch.nn.CrossEntropyLoss: raw logits [N, C, ...] against int32 class indices [N, ...] or
 * float class probabilities shaped like the logits.
 */
export class CrossEntropyLoss extends Loss {
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  readonly weight: Tensor | null;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    const name = 'CrossEntropyLoss';
    checkOptions(name, options);
    this.reduction = checkReductionOption(name, options.reduction ?? 'mean', REDUCTIONS);
    this.ignoreIndex = checkNumber(name, 'ignoreIndex', options.ignoreIndex ?? -100, true);
    const eps = options.labelSmoothing ?? 0;
    if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
      throw new ValueError(`${name}: labelSmoothing must be a number in [0, 1], got ${String(eps)}`);
    }
    this.labelSmoothing = eps;
    const w = weightTensor(name, 'weight', options.weight);
    if (w && w.rank !== 1)
      throw new ValueError(`${name}: expected 'weight' of shape [C], got ${fmtShape(w.shape)}`);
    this.weight = w ? this.addBuffer('weight', w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('CrossEntropyLoss', 'crossEntropy', () =>
      crossEntropy(input, target, {
        weight: this.weight,
        reduction: this.reduction,
        ignoreIndex: this.ignoreIndex,
        labelSmoothing: this.labelSmoothing,
      }),
    );
  }

  override config(): LayerConfig {
    return {
      weight: weightToConfig(this.weight),
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    };
  }

  static fromConfig(config: LayerConfig): CrossEntropyLoss {
    return new CrossEntropyLoss({
      ...config,
      weight: weightFromConfig('CrossEntropyLoss', 'weight', config.weight),
    });
  }
}

export interface BCELossOptions extends LossOptions {
  /** Rescales each element's loss; must broadcast to the input's shape. */
  weight?: Tensor | null;
}

/** torch.nn.BCELoss: probabilities in [0, 1] and targets of the same shape (logs clamped at −100). */
export class BCELoss extends Loss {
  readonly reduction: Reduction;
  readonly weight: Tensor | null;

  constructor(options: BCELossOptions = {}) {
    super();
    checkOptions('BCELoss', options);
    this.reduction = checkReductionOption('BCELoss', options.reduction ?? 'mean', REDUCTIONS);
    const w = weightTensor('BCELoss', 'weight', options.weight);
    this.weight = w ? this.addBuffer('weight', w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('BCELoss', 'binaryCrossEntropy', () =>
      binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction }),
    );
  }

  override config(): LayerConfig {
    return { weight: weightToConfig(this.weight), reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): BCELoss {
    return new BCELoss({ ...config, weight: weightFromConfig('BCELoss', 'weight', config.weight) });
  }
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of the positive term, per class; broadcasts over the last dim (e.g. shape [C]). */
  posWeight?: Tensor | null;
}

/** torch.nn.BCEWithLogitsLoss: binary cross-entropy of sigmoid(logits), computed stably. */
export class BCEWithLogitsLoss extends Loss {
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super();
    const name = 'BCEWithLogitsLoss';
    checkOptions(name, options);
    this.reduction = checkReductionOption(name, options.reduction ?? 'mean', REDUCTIONS);
    const w = weightTensor(name, 'weight', options.weight);
    const pw = weightTensor(name, 'posWeight', options.posWeight);
    this.weight = w ? this.addBuffer('weight', w) : null;
    this.posWeight = pw ? this.addBuffer('pos_weight', pw) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('BCEWithLogitsLoss', 'binaryCrossEntropyWithLogits', () =>
      binaryCrossEntropyWithLogits(input, target, {
        weight: this.weight,
        posWeight: this.posWeight,
        reduction: this.reduction,
      }),
    );
  }

  override config(): LayerConfig {
    return {
      weight: weightToConfig(this.weight),
      reduction: this.reduction,
      posWeight: weightToConfig(this.posWeight),
    };
  }

  static fromConfig(config: LayerConfig): BCEWithLogitsLoss {
    const name = 'BCEWithLogitsLoss';
    return new BCEWithLogitsLoss({
      ...config,
      weight: weightFromConfig(name, 'weight', config.weight),
      posWeight: weightFromConfig(name, 'posWeight', config.posWeight),
    });
  }
}

export interface KLDivGaussianLossOptions {
  /** 'batchmean' divides the sum by the batch size shape[0] (default 'mean'). */
  reduction?: KlReduction;
}

/**
 * KL(N(mu, exp(logVar)) ‖ N(0, 1)), the VAE's regularizer: forward(mu, logVar), both of the same
 * shape. (No torch.nn class; the formula is −0.5·(1 + logVar − mu² − exp(logVar)) per element.)
 */
export class KLDivGaussianLoss extends Loss {
  readonly reduction: KlReduction;

  constructor(options: KLDivGaussianLossOptions = {}) {
    super();
    checkOptions('KLDivGaussianLoss', options);
    this.reduction = checkReductionOption('KLDivGaussianLoss', options.reduction ?? 'mean', KL_REDUCTIONS);
  }

  forward(mu: Tensor, logVar: Tensor): Tensor {
    return asLayer('KLDivGaussianLoss', 'klDivGaussian', () =>
      klDivGaussian(mu, logVar, { reduction: this.reduction }),
    );
  }

  override config(): LayerConfig {
    return { reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): KLDivGaussianLoss {
    return new KLDivGaussianLoss(config as KLDivGaussianLossOptions);
  }
}

export interface HingeLossOptions extends LossOptions {
  margin?: number;
}

/** The binary SVM hinge max(0, margin − target·input) with targets ±1 (not torch's HingeEmbeddingLoss). */
export class HingeLoss extends Loss {
  readonly reduction: Reduction;
  readonly margin: number;

  constructor(options: HingeLossOptions = {}) {
    super();
    checkOptions('HingeLoss', options);
    this.reduction = checkReductionOption('HingeLoss', options.reduction ?? 'mean', REDUCTIONS);
    this.margin = checkNumber('HingeLoss', 'margin', options.margin ?? 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('HingeLoss', 'hinge', () =>
      hinge(input, target, { margin: this.margin, reduction: this.reduction }),
    );
  }

  override config(): LayerConfig {
    return { margin: this.margin, reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): HingeLoss {
    return new HingeLoss(config as HingeLossOptions);
  }
}

export interface MultiMarginLossOptions extends LossOptions {
  p?: 1 | 2;
  margin?: number;
  /** Per-class weight [C]; each sample's loss is scaled by the weight of its target class. */
  weight?: Tensor | null;
}

/** torch.nn.MultiMarginLoss: input [N, C] (or [C]) and int32 class indices [N] (or []). */
export class MultiMarginLoss extends Loss {
  readonly reduction: Reduction;
  readonly p: 1 | 2;
  readonly margin: number;
  readonly weight: Tensor | null;

  constructor(options: MultiMarginLossOptions = {}) {
    super();
    const name = 'MultiMarginLoss';
    checkOptions(name, options);
    this.reduction = checkReductionOption(name, options.reduction ?? 'mean', REDUCTIONS);
    const p = options.p ?? 1;
    if (p !== 1 && p !== 2) throw new ValueError(`${name}: p must be 1 or 2, got ${String(p)}`);
    this.p = p;
    this.margin = checkNumber(name, 'margin', options.margin ?? 1);
    const w = weightTensor(name, 'weight', options.weight);
    if (w && w.rank !== 1)
      throw new ValueError(`${name}: expected 'weight' of shape [C], got ${fmtShape(w.shape)}`);
    this.weight = w ? this.addBuffer('weight', w) : null;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return asLayer('MultiMarginLoss', 'multiMargin', () =>
      multiMargin(input, target, {
        p: this.p,
        margin: this.margin,
        weight: this.weight,
        reduction: this.reduction,
      }),
    );
  }

  override config(): LayerConfig {
    return { p: this.p, margin: this.margin, weight: weightToConfig(this.weight), reduction: this.reduction };
  }

  static fromConfig(config: LayerConfig): MultiMarginLoss {
    return new MultiMarginLoss({
      ...config,
      weight: weightFromConfig('MultiMarginLoss', 'weight', config.weight),
    });
  }
}

registerLayer('MSELoss', MSELoss);
registerLayer('NLLLoss', NLLLoss);
registerLayer('CrossEntropyLoss', CrossEntropyLoss);
registerLayer('BCELoss', BCELoss);
registerLayer('BCEWithLogitsLoss', BCEWithLogitsLoss);
registerLayer('KLDivGaussianLoss', KLDivGaussianLoss);
registerLayer('HingeLoss', HingeLoss);
registerLayer('MultiMarginLoss', MultiMarginLoss);
