/**
 * Sequence regressors: a recurrent layer (RNN, LSTM or GRU) and a Linear head on the last step.
 */
import { GRU, type LayerConfig, Linear, LSTM, Module, RNN, registerLayer } from '@axon/layers';
import {
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  describeValue,
  fmtShape,
  narrow,
  reshape,
  ShapeError,
  type Tensor,
  ValueError,
} from '@axon/tensor';

export const RNN_CELLS = ['rnn', 'lstm', 'gru'] as const;
export type RnnCell = (typeof RNN_CELLS)[number];

export interface RnnRegressorOptions {
  /** 'rnn' (Elman, tanh: Keras' SimpleRNN), 'lstm' or 'gru'. */
  cell: RnnCell;
  /** Features per time step. */
  inputSize: number;
  /** Units of the recurrent layer(s). */
  hiddenSize: number;
  /** Values predicted per sequence. */
  outputSize: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
}

/** Gates per cell type: the multiple of hiddenSize in each weight's first dim. */
const GATES: Record<RnnCell, number> = { rnn: 1, lstm: 4, gru: 3 };

/**
 * A recurrent layer run batch-first, then a Linear head on its last time step:
 *
 *     x [B, T, inputSize] → RNN/LSTM/GRU(inputSize, hiddenSize, {numLayers, batchFirst: true})
 *       → output[:, T−1, :] [B, hiddenSize] → Linear(hiddenSize, outputSize) → [B, outputSize]
 *
 * Children are `rnn` (parameters `rnn.weight_ih_l0`, … as torch names them) and `head`. Init is
 * torch's: recurrent weights and biases U(±1/√hiddenSize); the head U(±1/√hiddenSize) too.
 *
 * Parameters, with G = 1 (rnn), 4 (lstm), 3 (gru), I = inputSize, H = hiddenSize, L = numLayers:
 * G·H·(I + H + 2) for the first layer, G·H·(2H + 2) for each further one, plus H·outputSize +
 * outputSize for the head. E.g. the sine-wave SimpleRNN, {cell: 'rnn', inputSize: 1, hiddenSize:
 * 32, outputSize: 1}: 32·(1 + 32 + 2) + 33 = 1,153 (Keras' SimpleRNN has one bias, so 1,121).
 *
 * Registered as 'RNNRegressor', so `save`/`load` rebuild it from its config.
 */
export class RNNRegressor extends Module {
  readonly cell: RnnCell;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly numLayers: number;
  readonly rnn: RNN | LSTM | GRU;
  readonly head: Linear;

  constructor(options: RnnRegressorOptions) {
    super();
    const fn = 'rnnRegressor';
    const o = checkOptions(fn, options);
    this.cell = checkOneOf(fn, 'cell', o.cell, RNN_CELLS);
    this.inputSize = checkPositiveInt(fn, 'inputSize', o.inputSize);
    this.hiddenSize = checkPositiveInt(fn, 'hiddenSize', o.hiddenSize);
    this.outputSize = checkPositiveInt(fn, 'outputSize', o.outputSize);
    this.numLayers = checkPositiveInt(fn, 'numLayers', o.numLayers ?? 1);
    const layerOptions = { numLayers: this.numLayers, batchFirst: true };
    const Layer = this.cell === 'rnn' ? RNN : this.cell === 'lstm' ? LSTM : GRU;
    this.rnn = this.addModule('rnn', new Layer(this.inputSize, this.hiddenSize, layerOptions));
    this.head = this.addModule('head', new Linear(this.hiddenSize, this.outputSize));
  }

  /** x [B, T, inputSize] → [B, outputSize]. */
  forward(x: Tensor): Tensor {
    if (!x || typeof x !== 'object' || !Array.isArray((x as Tensor).shape)) {
      throw new ValueError(
        `RNNRegressor: expected x to be a Tensor [B, T, ${this.inputSize}], got ${describeValue(x)}`,
      );
    }
    if (x.rank !== 3 || x.shape[2] !== this.inputSize || x.shape[1] < 1) {
      throw new ShapeError(
        `RNNRegressor: expected x [B, T, ${this.inputSize}] (batch, time, features; T >= 1), got ${fmtShape(x.shape)}`,
      );
    }
    const [B, T] = x.shape;
    const { output } = this.rnn.forward(x);
    const last = reshape(narrow(output, 1, T - 1, 1), [B, this.hiddenSize]);
    return this.head.forward(last);
  }

  override config(): LayerConfig {
    return {
      cell: this.cell,
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      outputSize: this.outputSize,
      numLayers: this.numLayers,
    };
  }

  static fromConfig(config: LayerConfig): RNNRegressor {
    return new RNNRegressor(config as unknown as RnnRegressorOptions);
  }
}

registerLayer('RNNRegressor', RNNRegressor);

/**
 * Builds an {@link RNNRegressor}: `cell` layer(s) over x [B, T, inputSize], batch first, and a
 * Linear head on the last time step → [B, outputSize]. Throws ValueError naming `rnnRegressor`.
 */
export function rnnRegressor(options: RnnRegressorOptions): RNNRegressor {
  return new RNNRegressor(options);
}

/** The parameter count of `rnnRegressor(options)`, by the formula in {@link RNNRegressor}. */
export function rnnRegressorParameterCount(options: RnnRegressorOptions): number {
  const { cell, inputSize: I, hiddenSize: H, outputSize: O, numLayers: L = 1 } = options;
  const G = GATES[cell];
  return G * H * (I + H + 2) + (L - 1) * G * H * (2 * H + 2) + H * O + O;
}
