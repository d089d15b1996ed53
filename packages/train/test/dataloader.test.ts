/**
 * Batches handed over by a loader are freed after their step: @axon/datasets' DataLoader (a dev
 * dependency here, for this test only), and any source that marks its batches with the registry
 * symbol, which is all the protocol there is (train does not import datasets).
 */
import { OWNED_BATCH as DATASETS_OWNED_BATCH, DataLoader, TensorDataset } from '@axon/datasets';
import { Linear, MSELoss } from '@axon/layers';
import { SGD } from '@axon/optim';
import { manualSeed, memory, randn } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { type Batch, evaluate, fit, OWNED_BATCH } from '../src';

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

  it('frees batches marked with Symbol.for("axon.ownedBatch") by any source, and only those', async () => {
    expect(OWNED_BATCH).toBe(DATASETS_OWNED_BATCH);
    manualSeed(4);
    const model = new Linear(4, 1);
    const optimizer = new SGD(model.parameters(), { lr: 0.05 });
    const mark = (b: Batch): Batch =>
      Object.defineProperty(b, Symbol.for('axon.ownedBatch'), { value: true });
    async function* source(owned: boolean): AsyncGenerator<Batch> {
      for (let i = 0; i < 4; i++) {
        const b = { x: randn([8, 4]), y: randn([8, 1]) };
        yield owned ? mark(b) : b;
      }
    }
    const before = memory().numTensors;
    await fit(model, {
      optimizer,
      loss: new MSELoss(),
      trainData: () => source(true),
      epochs: 2,
      progress: false,
    });
    expect(memory().numTensors).toBe(before);
    await fit(model, {
      optimizer,
      loss: new MSELoss(),
      trainData: () => source(false),
      epochs: 1,
      progress: false,
    });
    expect(memory().numTensors).toBe(before + 4 * 2); // unmarked async batches are the caller's to free
  });
});
