import { DataLoader, TensorDataset } from '@axon/datasets';
import { Linear, MSELoss } from '@axon/layers';
import { SGD } from '@axon/optim';
import { manualSeed, memory, randn } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { evaluate, fit } from '../src';

describe('fit over a DataLoader', () => {
  it('frees every batch the loader makes (sync and async paths alike)', async () => {
    manualSeed(3);
    const data = new TensorDataset(randn([256, 4]), randn([256, 1]));
    const loader = new DataLoader(data, { batchSize: 16, shuffle: true, seed: 1 });
    const model = new Linear(4, 1);
    const optimizer = new SGD(model.parameters(), { lr: 0.05 });
    await fit(model, { optimizer, loss: new MSELoss(), trainData: loader, epochs: 1, progress: false });
    const after1 = memory().numTensors;
    await fit(model, { optimizer, loss: new MSELoss(), trainData: loader, epochs: 3, progress: false });
    await evaluate(model, loader, { loss: new MSELoss() });
    expect(memory().numTensors).toBe(after1);
  });
});
