/**
 * Recurrent layers, after torch.nn: the cells RNNCell, LSTMCell, GRUCell (one time step) and the
 * sequence layers RNN, LSTM, GRU (multi-layer, optionally bidirectional). Parameter names, shapes,
 * gate orders and the default init U(−1/√H, 1/√H) are torch's. The math lives in the functional
 * cores of `functional/recurrent.ts`.
 */

import { type DType, type Tensor, ValueError } from '@axon/tensor';
import { reserveCount, reserveElements } from '../allocation';
import {
  gru,
  gruCell,
  type LSTMResult,
  lstm,
  lstmCell,
  type RecurrentResult,
  type RecurrentWeights,
  type RNNNonlinearity,
  rnn,
  rnnCell,
} from '../functional/recurrent';
import { uniformInit } from '../init';
import { type LayerConfig, Module } from '../module';
import { registerLayer } from '../registry';

export interface RNNCellOptions {
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Only for RNNCell: 'tanh' (default) or 'relu'. */
  nonlinearity?: RNNNonlinearity;
  dtype?: DType;
}

export interface RNNLayerOptions {
  numLayers?: number;
  /** Only for RNN: 'tanh' (default) or 'relu'. */
  nonlinearity?: RNNNonlinearity;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only. */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DType;
}

function positiveInt(layer: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ValueError(`${layer}: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkBool(layer: string, what: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new ValueError(`${layer}: ${what} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function checkDType(layer: string, v: unknown): DType {
  if (v !== 'float32' && v !== 'float64') {
    throw new ValueError(`${layer}: dtype must be 'float32' or 'float64', got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkNonlinearity(layer: string, v: unknown): RNNNonlinearity {
  if (v !== 'tanh' && v !== 'relu') {
    throw new ValueError(`${layer}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(v)}`);
  }
  return v;
}

/** torch's init for every recurrent weight and bias: U(−1/√H, 1/√H). */
function initParam(shape: number[], hiddenSize: number, dtype: DType): Tensor {
  const k = 1 / Math.sqrt(hiddenSize);
  return uniformInit(shape, -k, k, { dtype });
}

// ---- cells ----

abstract class CellBase<Out = Tensor> extends Module<Tensor, Out> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly dtype: DType;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null = null;
  readonly biasHh: Tensor | null = null;

  protected constructor(
    layer: string,
    gates: number,
    inputSize: number,
    hiddenSize: number,
    options: RNNCellOptions,
  ) {
    super();
    this.inputSize = positiveInt(layer, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(layer, 'hiddenSize', hiddenSize);
    this.bias = checkBool(layer, 'bias', options.bias ?? true);
    this.dtype = checkDType(layer, options.dtype ?? 'float32');
    const H = this.hiddenSize;
    const ih = [gates * H, this.inputSize];
    const hh = [gates * H, H];
    reserveElements(layer, this.bias ? [ih, hh, [gates * H], [gates * H]] : [ih, hh]);
    const p = (name: string, shape: number[]) => this.addParameter(name, initParam(shape, H, this.dtype));
    this.weightIh = p('weight_ih', [gates * H, this.inputSize]);
    this.weightHh = p('weight_hh', [gates * H, H]);
    if (this.bias) {
      this.biasIh = p('bias_ih', [gates * H]);
      this.biasHh = p('bias_hh', [gates * H]);
    }
  }

  /** The weights as the functional cores take them. */
  weights(): RecurrentWeights {
    return { weightIh: this.weightIh, weightHh: this.weightHh, biasIh: this.biasIh, biasHh: this.biasHh };
  }

  override config(): LayerConfig {
    return { inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, dtype: this.dtype };
  }
}

/** torch.nn.RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh); x [B, I] or [I], h [B, H] or [H]. */
export class RNNCell extends CellBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nonlinearity = checkNonlinearity('RNNCell', options.nonlinearity ?? 'tanh');
    super('RNNCell', 1, inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return rnnCell(x, h, this.weights(), this.nonlinearity);
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }

  static fromConfig(c: LayerConfig): RNNCell {
    return new RNNCell(c.inputSize as number, c.hiddenSize as number, c as RNNCellOptions);
  }
}

/** torch.nn.LSTMCell (gates i, f, g, o): forward(x, h?, c?) → {h, c}. */
export class LSTMCell extends CellBase<{ h: Tensor; c: Tensor }> {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNCellOptions, 'nonlinearity'> = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor | null, c?: Tensor | null): { h: Tensor; c: Tensor } {
    return lstmCell(x, h, c, this.weights());
  }

  static fromConfig(c: LayerConfig): LSTMCell {
    return new LSTMCell(c.inputSize as number, c.hiddenSize as number, c as RNNCellOptions);
  }
}

/** torch.nn.GRUCell (gates r, z, n): forward(x, h?) → h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNCellOptions, 'nonlinearity'> = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h?: Tensor | null): Tensor {
    return gruCell(x, h, this.weights());
  }

  static fromConfig(c: LayerConfig): GRUCell {
    return new GRUCell(c.inputSize as number, c.hiddenSize as number, c as RNNCellOptions);
  }
}

// ---- sequence layers ----

abstract class RecurrentBase<Out> extends Module<Tensor, Out> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly dtype: DType;
  /** Per layer, then direction (forward, reverse): torch's order of weight_ih_l0, ..., _reverse. */
  private readonly allWeights: RecurrentWeights[] = [];

  protected constructor(
    layer: string,
    gates: number,
    inputSize: number,
    hiddenSize: number,
    options: RNNLayerOptions,
  ) {
    super();
    this.inputSize = positiveInt(layer, 'inputSize', inputSize);
    this.hiddenSize = positiveInt(layer, 'hiddenSize', hiddenSize);
    this.numLayers = positiveInt(layer, 'numLayers', options.numLayers ?? 1);
    this.bias = checkBool(layer, 'bias', options.bias ?? true);
    this.batchFirst = checkBool(layer, 'batchFirst', options.batchFirst ?? false);
    this.bidirectional = checkBool(layer, 'bidirectional', options.bidirectional ?? false);
    this.dtype = checkDType(layer, options.dtype ?? 'float32');
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new ValueError(`${layer}: dropout must be a number in [0, 1], got ${JSON.stringify(dropout)}`);
    }
    this.dropout = dropout;
    const H = this.hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    // Counted rather than listed: numLayers comes from the config, and may be absurd in a bad file.
    const G = gates * H;
    const perDirection = (inputs: number) => G * inputs + G * H + (this.bias ? 2 * G : 0);
    reserveCount(layer, D * perDirection(this.inputSize) + (this.numLayers - 1) * D * perDirection(D * H));
    const p = (name: string, shape: number[]) => this.addParameter(name, initParam(shape, H, this.dtype));
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const w: RecurrentWeights = {
          weightIh: p(`weight_ih${sfx}`, [gates * H, l === 0 ? this.inputSize : D * H]),
          weightHh: p(`weight_hh${sfx}`, [gates * H, H]),
        };
        if (this.bias) {
          w.biasIh = p(`bias_ih${sfx}`, [gates * H]);
          w.biasHh = p(`bias_hh${sfx}`, [gates * H]);
        }
        this.allWeights.push(w);
      }
    }
  }

  /** The weights as the functional cores take them: layer by layer, forward then reverse. */
  weights(): RecurrentWeights[] {
    return this.allWeights.map((w) => ({ ...w }));
  }

  protected coreOptions() {
    return {
      bidirectional: this.bidirectional,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      training: this.training,
    };
  }

  override config(): LayerConfig {
    return {
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bias: this.bias,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      bidirectional: this.bidirectional,
      dtype: this.dtype,
    };
  }
}

/**
 * torch.nn.RNN: forward(x, h0?) → {output, hN}. x [T, B, I] ([B, T, I] with batchFirst, [T, I]
 * unbatched); output [T, B, D·H]; h0 and hN [numLayers·D, B, H]; zeros when h0 is absent.
 */
export class RNN extends RecurrentBase<RecurrentResult> {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNLayerOptions = {}) {
    const nonlinearity = checkNonlinearity('RNN', options.nonlinearity ?? 'tanh');
    super('RNN', 1, inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  forward(x: Tensor, h0?: Tensor | null): RecurrentResult {
    return rnn(x, h0, this.weights(), { ...this.coreOptions(), nonlinearity: this.nonlinearity });
  }

  override config(): LayerConfig {
    return { ...super.config(), nonlinearity: this.nonlinearity };
  }

  static fromConfig(c: LayerConfig): RNN {
    return new RNN(c.inputSize as number, c.hiddenSize as number, c as RNNLayerOptions);
  }
}

/** torch.nn.LSTM (gates i, f, g, o): forward(x, h0?, c0?) → {output, hN, cN}; layouts as RNN. */
export class LSTM extends RecurrentBase<LSTMResult> {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNLayerOptions, 'nonlinearity'> = {}) {
    super('LSTM', 4, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h0?: Tensor | null, c0?: Tensor | null): LSTMResult {
    return lstm(x, h0, c0, this.weights(), this.coreOptions());
  }

  static fromConfig(c: LayerConfig): LSTM {
    return new LSTM(c.inputSize as number, c.hiddenSize as number, c as RNNLayerOptions);
  }
}

/** torch.nn.GRU (gates r, z, n): forward(x, h0?) → {output, hN}; layouts as RNN. */
export class GRU extends RecurrentBase<RecurrentResult> {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNLayerOptions, 'nonlinearity'> = {}) {
    super('GRU', 3, inputSize, hiddenSize, options);
  }

  forward(x: Tensor, h0?: Tensor | null): RecurrentResult {
    return gru(x, h0, this.weights(), this.coreOptions());
  }

  static fromConfig(c: LayerConfig): GRU {
    return new GRU(c.inputSize as number, c.hiddenSize as number, c as RNNLayerOptions);
  }
}

registerLayer('RNNCell', RNNCell);
registerLayer('LSTMCell', LSTMCell);
registerLayer('GRUCell', GRUCell);
registerLayer('RNN', RNN);
registerLayer('LSTM', LSTM);
registerLayer('GRU', GRU);
