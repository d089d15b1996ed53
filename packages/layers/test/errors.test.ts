/**
 * Errors that name what went wrong: zero-size layer arguments, BCE inputs outside [0, 1], and
 * errors inside a Sequential, which name the failing child.
 */
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  BCELoss,
  BilinearTensor,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  GRU,
  GRUCell,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  MaxPool2d,
  MinPool2d,
  MultiheadAttention,
  ReLU,
  RNN,
  RNNCell,
  Sequential,
  SparseLinear,
  Upsample,
} from '@axon/layers';
import { manualSeed, memory, ShapeError, tensor, ValueError } from '@axon/tensor';
import { expectError } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';

beforeEach(() => manualSeed(0));

describe('zero-size layer arguments', () => {
  // [what, make, the layer and the argument the message must name]
  const cases: [string, () => unknown, string, string][] = [
    ['Linear(0, 3)', () => new Linear(0, 3), 'Linear', 'inFeatures'],
    ['Linear(3, 0)', () => new Linear(3, 0), 'Linear', 'outFeatures'],
    ['SparseLinear(0, 3)', () => new SparseLinear(0, 3), 'SparseLinear', 'inFeatures'],
    ['SparseLinear(3, 0)', () => new SparseLinear(3, 0), 'SparseLinear', 'outFeatures'],
    ['BilinearTensor(0)', () => new BilinearTensor(0), 'BilinearTensor', 'dim'],
    ['Conv2d(0, 3, 3)', () => new Conv2d(0, 3, 3), 'Conv2d', 'inChannels'],
    ['Conv2d(3, 0, 3)', () => new Conv2d(3, 0, 3), 'Conv2d', 'outChannels'],
    ['Conv2d(3, 3, 0)', () => new Conv2d(3, 3, 0), 'Conv2d', 'kernelSize'],
    ['Conv2d(3, 3, [3, 0])', () => new Conv2d(3, 3, [3, 0]), 'Conv2d', 'kernelSize'],
    ['Conv2d stride 0', () => new Conv2d(3, 3, 3, { stride: 0 }), 'Conv2d', 'stride'],
    ['Conv2d groups 0', () => new Conv2d(3, 3, 3, { groups: 0 }), 'Conv2d', 'groups'],
    ['ConvTranspose2d(0, 3, 3)', () => new ConvTranspose2d(0, 3, 3), 'ConvTranspose2d', 'inChannels'],
    ['ConvTranspose2d(3, 0, 3)', () => new ConvTranspose2d(3, 0, 3), 'ConvTranspose2d', 'outChannels'],
    ['ConvTranspose2d(3, 3, 0)', () => new ConvTranspose2d(3, 3, 0), 'ConvTranspose2d', 'kernelSize'],
    ['MaxPool2d(0)', () => new MaxPool2d(0), 'MaxPool2d', 'kernelSize'],
    ['MinPool2d(0)', () => new MinPool2d(0), 'MinPool2d', 'kernelSize'],
    ['AvgPool2d(0)', () => new AvgPool2d(0), 'AvgPool2d', 'kernelSize'],
    ['AvgPool2d stride 0', () => new AvgPool2d(2, { stride: 0 }), 'AvgPool2d', 'stride'],
    ['Upsample size 0', () => new Upsample({ size: 0 }), 'Upsample', 'size'],
    ['Upsample scaleFactor 0', () => new Upsample({ scaleFactor: 0 }), 'Upsample', 'scaleFactor'],
    ['Embedding(0, 4)', () => new Embedding(0, 4), 'Embedding', 'numEmbeddings'],
    ['Embedding(4, 0)', () => new Embedding(4, 0), 'Embedding', 'embeddingDim'],
    ['BatchNorm1d(0)', () => new BatchNorm1d(0), 'BatchNorm1d', 'numFeatures'],
    ['BatchNorm2d(0)', () => new BatchNorm2d(0), 'BatchNorm2d', 'numFeatures'],
    ['LayerNorm(0)', () => new LayerNorm(0), 'LayerNorm', 'normalizedShape'],
    ['LayerNorm([4, 0])', () => new LayerNorm([4, 0]), 'LayerNorm', 'normalizedShape'],
    ['LayerNorm([])', () => new LayerNorm([]), 'LayerNorm', 'normalizedShape'],
    ['MultiheadAttention(0, 1)', () => new MultiheadAttention(0, 1), 'MultiheadAttention', 'embedDim'],
    ['MultiheadAttention(4, 0)', () => new MultiheadAttention(4, 0), 'MultiheadAttention', 'numHeads'],
    [
      'MultiheadAttention kdim 0',
      () => new MultiheadAttention(4, 2, { kdim: 0 }),
      'MultiheadAttention',
      'kdim',
    ],
    ['RNNCell(0, 3)', () => new RNNCell(0, 3), 'RNNCell', 'inputSize'],
    ['RNNCell(3, 0)', () => new RNNCell(3, 0), 'RNNCell', 'hiddenSize'],
    ['LSTMCell(3, 0)', () => new LSTMCell(3, 0), 'LSTMCell', 'hiddenSize'],
    ['GRUCell(0, 3)', () => new GRUCell(0, 3), 'GRUCell', 'inputSize'],
    ['RNN(3, 0)', () => new RNN(3, 0), 'RNN', 'hiddenSize'],
    ['RNN(0, 3)', () => new RNN(0, 3), 'RNN', 'inputSize'],
    ['LSTM(3, 0)', () => new LSTM(3, 0), 'LSTM', 'hiddenSize'],
    ['GRU numLayers 0', () => new GRU(3, 4, { numLayers: 0 }), 'GRU', 'numLayers'],
  ];

  for (const [what, make, layer, arg] of cases) {
    it(`${what} is a ValueError naming ${layer} and ${arg}`, () => {
      const before = memory().numTensors;
      const { message } = expectError(make, ValueError, layer, arg);
      expect(message).toMatch(/\b0\b|\[\]/); // and the value given
      expect(memory().numTensors).toBe(before); // refused before allocating anything
    });
  }

  it('sizes of 1 are fine', () => {
    for (const m of [
      new Linear(1, 1),
      new Conv2d(1, 1, 1),
      new Embedding(1, 1),
      new RNN(1, 1),
      new LayerNorm(1),
    ]) {
      m.dispose();
    }
  });
});

describe('binary cross-entropy checks its values, as torch', () => {
  it('BCELoss refuses an input or a target outside [0, 1]', () => {
    const loss = new BCELoss();
    expect(() => loss.forward(tensor([0.2, 1.2]), tensor([0, 1]))).toThrow(ValueError);
    expect(() => loss.forward(tensor([0.2, 1.2]), tensor([0, 1]))).toThrow(
      /^BCELoss: .*all elements of input should be between 0 and 1, got 1\.2\d* at index 1/,
    );
    expect(() => loss.forward(tensor([0.2, 0.7]), tensor([0, 2]))).toThrow(
      /^BCELoss: .*all elements of target should be between 0 and 1, got 2 at index 1/,
    );
    expect(() => loss.forward(tensor([Number.NaN, 0.7]), tensor([0, 1]))).toThrow(/got NaN at index 0/);
    // The bounds are in range.
    expect(loss.forward(tensor([0, 1]), tensor([0, 1])).item()).toBe(0);
  });
});

describe('Sequential names the failing child', () => {
  it('prefixes Sequential[i] (ClassName), keeps the class, and keeps the original as cause', () => {
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(5, 2));
    let error: unknown;
    try {
      model.forward(tensor([[1, 2, 3]]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    const e = error as Error;
    expect(e.name).toBe('ShapeError');
    expect(e.message).toMatch(/^Sequential\[2\] \(Linear\): Linear: /);
    expect(e.cause).toBeInstanceOf(ShapeError);
    expect(e.message).toBe(`Sequential[2] (Linear): ${(e.cause as Error).message}`);
    expect(e.stack?.split('\n')[0]).toBe(`ShapeError: ${e.message}`);
  });

  it('nests: an inner Sequential adds its own index', () => {
    const model = new Sequential(new ReLU(), new Sequential(new Linear(2, 2), new Linear(3, 1)));
    expect(() => model.forward(tensor([[1, 2]]))).toThrow(
      /^Sequential\[1\] \(Sequential\): Sequential\[1\] \(Linear\): Linear: /,
    );
  });

  it('passes on a non-Error as is', () => {
    class Thrower extends ReLU {
      override forward(): never {
        throw 'plain string';
      }
    }
    const model = new Sequential(new Thrower());
    expect(() => model.forward(tensor([1]))).toThrow('plain string');
  });
});
