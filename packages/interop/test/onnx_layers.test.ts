import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  GRU,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  LSTM,
  MaxPool2d,
  MinPool2d,
  MultiheadAttention,
  ReLU,
  Reshape,
  RNN,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Step,
  Tanh,
  Upsample,
} from '@axon/layers';
import { add, assign, manualSeed, mul, randn, type Tensor, tensor, uniform } from '@axon/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOrtMatches, printWorstDiffs } from './ort';

beforeAll(() => manualSeed(17));
afterAll(() => printWorstDiffs('layer'));

const image = () => randn([2, 3, 7, 6]);

describe('each layer runs in ONNX Runtime as in Axon', () => {
  it('Linear (matrix and batched rank 3)', async () => {
    await expectOrtMatches('Linear', new Linear(5, 4), randn([3, 5]), { inputs: randn([7, 5]) });
    await expectOrtMatches('Linear rank 3, no bias', new Linear(5, 4, { bias: false }), randn([2, 3, 5]));
  });

  it('Conv2d (padding, stride, dilation, groups, same)', async () => {
    await expectOrtMatches('Conv2d', new Conv2d(3, 4, 3, { padding: 1, stride: 2 }), image());
    await expectOrtMatches(
      'Conv2d grouped',
      new Conv2d(3, 6, [2, 3], { groups: 3, dilation: 2, bias: false }),
      image(),
    );
    await expectOrtMatches('Conv2d same', new Conv2d(3, 2, 4, { padding: 'same' }), image());
  });

  it('ConvTranspose2d', async () => {
    const m = new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 });
    await expectOrtMatches('ConvTranspose2d', m, image());
  });

  it('pooling and Upsample', async () => {
    await expectOrtMatches('MaxPool2d', new MaxPool2d(3, { stride: 2, padding: 1 }), image());
    await expectOrtMatches('MinPool2d', new MinPool2d(2), image());
    await expectOrtMatches(
      'AvgPool2d',
      new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }),
      image(),
    );
    await expectOrtMatches('Upsample nearest', new Upsample({ scaleFactor: 2 }), image());
    await expectOrtMatches('Upsample nearest size', new Upsample({ size: [10, 9] }), image());
    await expectOrtMatches('Upsample bilinear', new Upsample({ size: [11, 8], mode: 'bilinear' }), image());
    await expectOrtMatches(
      'Upsample bilinear corners',
      new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }),
      image(),
    );
  });

  it('BatchNorm1d / BatchNorm2d (eval, running statistics) and LayerNorm', async () => {
    const bn2 = new BatchNorm2d(3);
    bn2.train();
    bn2.forward(add(mul(randn([4, 3, 5, 5]), 2), 1)); // running statistics away from 0 and 1
    await expectOrtMatches('BatchNorm2d', bn2, image());
    const bn1 = new BatchNorm1d(5, { affine: false });
    bn1.train();
    bn1.forward(randn([8, 5]));
    await expectOrtMatches('BatchNorm1d', bn1, randn([3, 5]));
    await expectOrtMatches('LayerNorm', new LayerNorm([3, 4]), randn([2, 5, 3, 4]));
    await expectOrtMatches(
      'LayerNorm no affine',
      new LayerNorm(4, { elementwiseAffine: false }),
      randn([2, 4]),
    );
  });

  it('activations', async () => {
    const x = mul(randn([4, 6]), 3);
    const layers = {
      ReLU: new ReLU(),
      Sigmoid: new Sigmoid(),
      Tanh: new Tanh(),
      LeakyReLU: new LeakyReLU(0.2),
      ELU: new ELU(0.7),
      GELU: new GELU(),
      'GELU tanh': new GELU('tanh'),
      Softplus: new Softplus(),
      'Softplus beta': new Softplus(2, 3),
      Softmax: new Softmax(1),
      LogSoftmax: new LogSoftmax(-1),
      Step: new Step(),
    };
    for (const [label, m] of Object.entries(layers)) await expectOrtMatches(label, m, x);
  });

  it('Dropout (identity), Flatten, Reshape', async () => {
    await expectOrtMatches('Dropout', new Dropout(0.5), randn([3, 4]));
    await expectOrtMatches('Flatten', new Flatten(), image(), { inputs: randn([5, 3, 7, 6]) });
    await expectOrtMatches('Flatten 1..2', new Flatten(1, 2), image());
    await expectOrtMatches('Reshape', new Reshape([6, -1]), image());
  });

  it('Embedding (Gather)', async () => {
    const ids = tensor(
      [
        [1, 0, 4],
        [3, 3, 2],
      ],
      { dtype: 'int32' },
    );
    await expectOrtMatches('Embedding', new Embedding(5, 3), ids);
  });

  it('Sequential', async () => {
    const m = new Sequential(
      new Conv2d(3, 4, 3),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(16, 3),
    );
    await expectOrtMatches('Sequential', m, image(), { inputs: randn([4, 3, 7, 6]) });
  });

  it('RNN, LSTM, GRU (gate orders, layers, directions, batch first)', async () => {
    const seq = randn([5, 2, 3]); // [T, B, I]
    await expectOrtMatches('RNN tanh', new RNN(3, 4), seq);
    await expectOrtMatches(
      'RNN relu 2 layers bi',
      new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, bidirectional: true }),
      seq,
    );
    await expectOrtMatches('LSTM', new LSTM(3, 4), seq);
    await expectOrtMatches(
      'LSTM 2 layers bi batch first',
      new LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }),
      randn([2, 5, 3]),
    );
    await expectOrtMatches('GRU', new GRU(3, 4), seq);
    await expectOrtMatches('GRU 2 layers bi', new GRU(3, 4, { numLayers: 2, bidirectional: true }), seq, {
      batchAxis: 1,
      inputs: randn([5, 3, 3]),
    });
  });

  it('MultiheadAttention (self-attention and query/key/value)', async () => {
    const m = new MultiheadAttention(8, 2);
    // torch zeroes the biases at init; give them values so that they are checked too
    assign(m.inProjBias as Tensor, uniform([24], -1, 1));
    await expectOrtMatches('MultiheadAttention', m, randn([2, 5, 8]), { inputs: randn([3, 5, 8]) });
    const cross = new MultiheadAttention(8, 4, { kdim: 6, vdim: 5, batchFirst: false });
    await expectOrtMatches(
      'MultiheadAttention cross',
      cross,
      [randn([4, 2, 8]), randn([3, 2, 6]), randn([3, 2, 5])],
      {
        batchAxis: 1,
      },
    );
  });
});

describe('errors', () => {
  it('names an unsupported layer and its path', async () => {
    class Custom extends Linear {}
    const m = new Sequential(new Linear(2, 2), new Sequential(new ReLU(), new Custom(2, 2)));
    await expect(expectOrtMatches('x', m, randn([1, 2]))).rejects.toThrow(/cannot export '1\.1' \(Custom\)/);
  });
});
