import { readFileSync } from 'node:fs';
import {
  type AnyModule,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  GRU,
  GRUCell,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  MultiheadAttention,
  ReLU,
  RNN,
  RNNCell,
  Sequential,
} from '@axon/layers';
import { describe, expect, it } from 'vitest';
import { toTorchStateDict } from '../src';

/** torch's state-dict names, dtypes and shapes for each case (made by test/torch/make_fixture.py). */
const TORCH: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(new URL('../fixtures/torch_state_names.json', import.meta.url), 'utf8'),
);

/** The Axon layer of each case, built as make_fixture.py builds torch's. */
const AXON: Record<string, () => AnyModule> = {
  Linear: () => new Linear(5, 4),
  'Linear no bias': () => new Linear(5, 4, { bias: false }),
  Conv2d: () => new Conv2d(3, 6, [2, 3], { groups: 3 }),
  ConvTranspose2d: () => new ConvTranspose2d(3, 2, 3),
  BatchNorm1d: () => new BatchNorm1d(5),
  'BatchNorm2d no affine': () => new BatchNorm2d(3, { affine: false }),
  LayerNorm: () => new LayerNorm([3, 4]),
  Embedding: () => new Embedding(7, 3),
  RNN: () => new RNN(3, 4, { numLayers: 2, bidirectional: true }),
  LSTM: () => new LSTM(3, 4, { numLayers: 2, bidirectional: true }),
  GRU: () => new GRU(3, 4, { numLayers: 2, bias: false }),
  RNNCell: () => new RNNCell(3, 4),
  LSTMCell: () => new LSTMCell(3, 4),
  GRUCell: () => new GRUCell(3, 4),
  MultiheadAttention: () => new MultiheadAttention(8, 2),
  'MultiheadAttention kdim vdim': () => new MultiheadAttention(8, 2, { kdim: 6, vdim: 5 }),
  Sequential: () => new Sequential(new Linear(4, 3), new ReLU(), new BatchNorm1d(3), new Linear(3, 2)),
};

describe('toTorchStateDict gives PyTorch’s names and shapes for every layer', () => {
  it('covers every case of the fixture', () => {
    expect(Object.keys(AXON).sort()).toEqual(Object.keys(TORCH).sort());
  });

  for (const [label, make] of Object.entries(AXON)) {
    it(label, () => {
      const axon = Object.fromEntries(
        Object.entries(toTorchStateDict(make())).map(([name, t]) => [
          name,
          `${t.dtype} [${t.shape.join(', ')}]`,
        ]),
      );
      // Axon keeps num_batches_tracked as int32 (torch: int64); everything else is exactly torch's.
      const torch = Object.fromEntries(
        Object.entries(TORCH[label]).map(([name, s]) => [name, s.replace(/^int64/, 'int32')]),
      );
      expect(axon).toEqual(torch);
    });
  }
});
