/**
 * The multilayer perceptron: Linear layers with an activation (and optional dropout) between them.
 */
import {
  Dropout,
  ELU,
  Flatten,
  GELU,
  LeakyReLU,
  Linear,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from '@axon/layers';
import {
  checkBoolean,
  checkOneOf,
  checkOptions,
  checkPositiveInt,
  checkProbability,
  ValueError,
} from '@axon/tensor';
import { show } from '../args';

/** The activations `mlp` can put between its Linear layers (torch defaults for their arguments). */
export const MLP_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'gelu', 'leakyRelu', 'elu'] as const;
export type MlpActivation = (typeof MLP_ACTIVATIONS)[number];

export interface MlpOptions {
  /** Features per example: the input is [..., inputSize] ([N, inputSize] for a batch). */
  inputSize: number;
  /** Width of each hidden layer, in order; [] gives a single Linear (a linear/logistic model). */
  hiddenSizes: number[];
  /** Outputs per example (logits for a classifier: no activation on the last layer). */
  outputSize: number;
  /** Activation after each hidden Linear (default 'relu'). */
  activation?: MlpActivation;
  /** Dropout probability after each hidden activation, in [0, 1) (default 0: no Dropout layers). */
  dropout?: number;
  /**
   * Put a Flatten() first, so that images [N, C, H, W] go straight in (inputSize = C·H·W), as the
   * Keras program's `Flatten(input_shape=(28, 28))` does (default false). It has no parameters.
   */
  flatten?: boolean;
}

/** A fresh layer for an activation name (shared with the autoencoder and VAE builders). */
export function activationLayer(name: MlpActivation): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'tanh':
      return new Tanh();
    case 'sigmoid':
      return new Sigmoid();
    case 'gelu':
      return new GELU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'elu':
      return new ELU();
  }
}

/**
 * A multilayer perceptron as a `Sequential` of registered layers, so `save`/`load` rebuild it:
 *
 *     [Flatten] → (Linear(in, h₁) → act → [Dropout(p)]) → … → (Linear(hₖ₋₁, hₖ) → act → [Dropout(p)]) → Linear(hₖ, out)
 *
 * Flatten only with `flatten: true`; Dropout only when `dropout > 0`. The last layer has no
 * activation (a classifier's logits go to CrossEntropyLoss). Every Linear has torch's default
 * init: weight and bias U(±1/√fanIn), drawn from the default generator (seed it with
 * `manualSeed`).
 *
 * Parameters: Σ (fanIn·fanOut + fanOut) over the Linear layers, i.e. with sizes
 * s = [inputSize, ...hiddenSizes, outputSize], Σᵢ (sᵢ + 1)·sᵢ₊₁. For example the Keras
 * Fashion-MNIST MLP, `mlp({inputSize: 784, hiddenSizes: [128], outputSize: 10})`, has
 * 785·128 + 129·10 = 101,770; `mlp({inputSize: 2, hiddenSizes: [4], outputSize: 1})` (xor) has 17.
 *
 * Throws ValueError naming `mlp` and the bad option.
 */
export function mlp(options: MlpOptions): Sequential {
  const o = checkOptions('mlp', options);
  const inputSize = checkPositiveInt('mlp', 'inputSize', o.inputSize);
  const hidden = o.hiddenSizes;
  if (!Array.isArray(hidden)) {
    throw new ValueError(`mlp: hiddenSizes must be an array of positive integers, got ${show(hidden)}`);
  }
  const hiddenSizes = hidden.map((h, i) => checkPositiveInt('mlp', `hiddenSizes[${i}]`, h));
  const outputSize = checkPositiveInt('mlp', 'outputSize', o.outputSize);
  const activation = checkOneOf('mlp', 'activation', o.activation ?? 'relu', MLP_ACTIVATIONS);
  const dropout = checkProbability('mlp', 'dropout', o.dropout ?? 0, { exclusiveMax: true });
  const flatten = checkBoolean('mlp', 'flatten', o.flatten ?? false);

  const layers: Module[] = [];
  if (flatten) layers.push(new Flatten());
  let fanIn = inputSize;
  for (const h of hiddenSizes) {
    layers.push(new Linear(fanIn, h), activationLayer(activation));
    if (dropout > 0) layers.push(new Dropout(dropout));
    fanIn = h;
  }
  layers.push(new Linear(fanIn, outputSize));
  return new Sequential(...layers);
}
