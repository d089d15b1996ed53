import { CrossEntropyLoss, Linear, Module, MSELoss, ReLU, Sequential } from '@axon/layers';
import { manualSeed, memory, ShapeError, type Tensor, tensor, ValueError } from '@axon/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { type Batch, type Callback, evaluate, fit } from '../src';
import { captureOutput, classification, disposeBatches, mseFn, regression, sgd, weights } from './helpers';

const quiet = { progress: false as const };

function classifier(seed = 1): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
}

describe('fit', () => {
  const train = classification(8, 32, 7);
  const val = classification(2, 64, 8);
  afterAll(() => {
    disposeBatches(train);
    disposeBatches(val);
  });

  it('trains a classifier: loss falls, accuracy rises, history has loss, metrics, val_* and lr', async () => {
    const model = classifier();
    const history = await fit(model, {
      optimizer: sgd(model, 0.5),
      loss: new CrossEntropyLoss(),
      trainData: train,
      valData: val,
      epochs: 8,
      metrics: ['accuracy', 'topk:2'],
      ...quiet,
    });
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(history.keys()).toEqual([
      'loss',
      'accuracy',
      'top2_accuracy',
      'val_loss',
      'val_accuracy',
      'val_top2_accuracy',
      'lr',
    ]);
    const loss = history.get('loss');
    expect(loss[7]).toBeLessThan(loss[0] * 0.5);
    expect(history.get('val_accuracy')[7]).toBeGreaterThan(0.85);
    expect(history.get('lr')).toEqual(new Array(8).fill(0.5));
    for (const v of history.get('top2_accuracy')) expect(v).toBeGreaterThanOrEqual(0);
    // top-2 is never below top-1.
    history.get('val_top2_accuracy').forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(history.get('val_accuracy')[i]);
    });
    model.dispose();
  });

  it('reports the epoch loss as the mean over batches weighted by batch size', async () => {
    // lr 0: the weights never move, so the epoch loss is a plain function of the data.
    manualSeed(3);
    const model = new Linear(1, 1);
    const data: Batch[] = [
      { x: tensor([[1], [2], [3]]), y: tensor([[0], [0], [0]]) },
      { x: tensor([[4]]), y: tensor([[0]]) },
    ];
    const history = await fit(model, {
      optimizer: sgd(model, 0),
      loss: mseFn,
      trainData: data,
      epochs: 1,
      ...quiet,
    });
    const w = model.weight.item();
    const b = (model.bias as Tensor).item();
    const sq = [1, 2, 3, 4].map((x) => (w * x + b) ** 2);
    const batch1 = (sq[0] + sq[1] + sq[2]) / 3;
    const batch2 = sq[3];
    expect(history.get('loss')[0]).toBeCloseTo((batch1 * 3 + batch2 * 1) / 4, 5);
    const ev = await evaluate(model, data, { loss: mseFn });
    expect(ev.loss).toBeCloseTo((batch1 * 3 + batch2) / 4, 5);
    disposeBatches(data);
    model.dispose();
  });

  it('accepts a loss function, an async iterable, and a function giving a fresh source per epoch', async () => {
    const data = regression(4, 16);
    manualSeed(2);
    const a = new Linear(1, 1);
    const b = new Linear(1, 1);
    b.loadStateDict(a.stateDict());
    async function* asyncSource() {
      for (const batch of data) yield batch;
    }
    function* genSource() {
      yield* data;
    }
    const ha = await fit(a, {
      optimizer: sgd(a),
      loss: new MSELoss(),
      trainData: asyncSource,
      epochs: 5,
      ...quiet,
    });
    const hb = await fit(b, { optimizer: sgd(b), loss: mseFn, trainData: genSource, epochs: 5, ...quiet });
    expect(hb.get('loss')).toEqual(ha.get('loss'));
    expect(weights(b)).toEqual(weights(a));
    expect(ha.get('loss')[4]).toBeLessThan(ha.get('loss')[0]);
    disposeBatches(data);
    a.dispose();
    b.dispose();
  });

  it('frees batches that a synchronous source makes on the fly, and with disposeBatches an async one', async () => {
    manualSeed(4);
    const model = new Linear(1, 1);
    const before = memory().numTensors;
    function* fresh() {
      for (let i = 0; i < 5; i++) yield { x: tensor([[i / 5]]), y: tensor([[1]]) };
    }
    async function* freshAsync() {
      for (let i = 0; i < 5; i++) yield { x: tensor([[i / 5]]), y: tensor([[1]]) };
    }
    await fit(model, { optimizer: sgd(model), loss: mseFn, trainData: fresh, epochs: 3, ...quiet });
    expect(memory().numTensors).toBe(before);
    await fit(model, {
      optimizer: sgd(model),
      loss: mseFn,
      trainData: freshAsync,
      valData: freshAsync,
      epochs: 3,
      disposeBatches: true,
      ...quiet,
    });
    expect(memory().numTensors).toBe(before);
    model.dispose();
  });

  it('validates in eval mode without gradients and restores the modes after', async () => {
    const seen: { training: boolean; grad: boolean }[] = [];
    class Probe extends Module {
      inner = this.addModule('inner', new Linear(2, 3));
      forward(x: Tensor): Tensor {
        const y = this.inner.forward(x);
        seen.push({ training: this.training, grad: y.requiresGrad });
        return y;
      }
    }
    manualSeed(5);
    const model = new Probe();
    model.eval();
    model.inner.train();
    await fit(model, {
      optimizer: sgd(model),
      loss: new CrossEntropyLoss(),
      trainData: train.slice(0, 2),
      valData: val.slice(0, 1),
      epochs: 1,
      ...quiet,
    });
    expect(seen).toEqual([
      { training: true, grad: true },
      { training: true, grad: true },
      { training: false, grad: false },
    ]);
    expect(model.training).toBe(false);
    expect(model.inner.training).toBe(true);
    model.dispose();
  });

  it('calls the callbacks in order and stops on "stop"', async () => {
    manualSeed(6);
    const model = new Linear(2, 3);
    const calls: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => {
        calls.push('trainBegin');
      },
      onEpochBegin: (e) => {
        calls.push(`epochBegin ${e}`);
      },
      onBatchLoss: (loss, info) => {
        calls.push(`loss ${info.epoch}.${info.batch} ${Number.isFinite(loss)}`);
      },
      onBatchEnd: (b, logs) => {
        calls.push(`batchEnd ${b} ${logs.size}`);
      },
      onEpochEnd: async (e, logs) => {
        calls.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
        return e === 1 ? 'stop' : undefined;
      },
      onTrainEnd: () => {
        calls.push('trainEnd');
      },
    };
    const history = await fit(model, {
      optimizer: sgd(model),
      loss: new CrossEntropyLoss(),
      trainData: train.slice(0, 2),
      epochs: 5,
      metrics: ['accuracy'],
      callbacks: [cb],
      ...quiet,
    });
    expect(calls).toEqual([
      'trainBegin',
      'epochBegin 0',
      'loss 0.0 true',
      'batchEnd 0 32',
      'loss 0.1 true',
      'batchEnd 1 32',
      'epochEnd 0 loss,accuracy,lr',
      'epochBegin 1',
      'loss 1.0 true',
      'batchEnd 0 32',
      'loss 1.1 true',
      'batchEnd 1 32',
      'epochEnd 1 loss,accuracy,lr',
      'trainEnd',
    ]);
    expect(history.epoch).toEqual([0, 1]);
    model.dispose();
  });

  it('continues from initialEpoch', async () => {
    manualSeed(6);
    const model = new Linear(2, 3);
    const out = captureOutput();
    const history = await fit(model, {
      optimizer: sgd(model),
      loss: new CrossEntropyLoss(),
      trainData: train.slice(0, 1),
      epochs: 4,
      initialEpoch: 2,
      progress: true,
      progressOutput: out,
    });
    expect(history.epoch).toEqual([2, 3]);
    expect(out.text).toMatch(/^epoch 3\/4 {2}loss \d\.\d{4} {2}\d+\.\d s\nepoch 4\/4 /);
    model.dispose();
  });

  it('throws clear errors', async () => {
    manualSeed(6);
    const model = new Linear(2, 3);
    const base = {
      optimizer: sgd(model),
      loss: new CrossEntropyLoss(),
      trainData: train.slice(0, 1),
      epochs: 1,
      ...quiet,
    };
    await expect(fit(model, { ...base, epochs: 0 })).rejects.toThrow(
      'fit: expected epochs to be a positive integer, got number 0',
    );
    await expect(fit(model, { ...base, trainData: 5 as never })).rejects.toThrow(ValueError);
    await expect(fit({} as never, base)).rejects.toThrow('fit: model must be a Module');
    await expect(fit(model, { ...base, metrics: ['f1' as never] })).rejects.toThrow(
      'metrics: unknown metric "f1"',
    );
    await expect(fit(model, { ...base, loss: new CrossEntropyLoss({ reduction: 'none' }) })).rejects.toThrow(
      "fit: the loss must be a scalar (reduction 'mean' or 'sum'), got shape [32]",
    );
    const bad = [{ x: tensor([[1, 2]]), y: tensor([0, 1]) }];
    await expect(fit(model, { ...base, trainData: bad })).rejects.toThrow(
      new ShapeError(
        'fit: trainData: batch 1 of epoch 1: x [1, 2] and y [2] differ in batch size (first axis)',
      ),
    );
    await expect(fit(model, { ...base, trainData: [{ x: tensor([[1, 2]]) }] as never })).rejects.toThrow(
      'fit: trainData: batch 1 of epoch 1: expected {x: Tensor, y: Tensor}, got keys x',
    );
    await expect(fit(model, { ...base, trainData: [] })).rejects.toThrow(
      'fit: trainData gave no batches in epoch 1',
    );
    function* once() {
      yield* train.slice(0, 1);
    }
    await expect(fit(model, { ...base, trainData: once(), epochs: 2 })).rejects.toThrow(
      'fit: trainData gave no batches in epoch 2 (an iterator or generator runs only once: pass a function that returns a fresh one per epoch)',
    );
    await expect(fit(model, { ...base, trainData: () => 3 as never })).rejects.toThrow(
      'fit: trainData: expected an Iterable or AsyncIterable of {x, y} batches, or a function returning one (the function returned number 3)',
    );
    await expect(fit(model, { ...base, loss: (p: Tensor) => p.detach().sum() })).rejects.toThrow(
      'fit: the loss does not depend on any parameter that requires a gradient',
    );
    disposeBatches(bad);
    model.dispose();
  });
});
