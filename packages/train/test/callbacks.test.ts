import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrossEntropyLoss, Dropout, Linear, ReLU, Sequential } from '@axon/layers';
import { Adam, LinearWarmup, ReduceLROnPlateau, SGD, StepLR } from '@axon/optim';
import { assign, defaultGenerator, manualSeed, memory, type Tensor } from '@axon/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Checkpoint,
  EarlyStopping,
  type FitContext,
  fit,
  LearningRateScheduler,
  NaNGuard,
  NonFiniteLossError,
  type OptimizerLike,
  resume,
} from '../src';
import { classification, disposeBatches, mseFn, regression, sgd, weights } from './helpers';

const quiet = { progress: false as const };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NaNGuard', () => {
  it('stops with a message naming the epoch, batch and value, before the optimizer step', async () => {
    const data = regression(2, 8);
    manualSeed(1);
    const model = new Linear(1, 1);
    let calls = 0;
    // The third batch's loss (epoch 2, batch 1) is NaN.
    const loss = (p: Tensor, y: Tensor) => (++calls === 3 ? mseFn(p, y).mul(Number.NaN) : mseFn(p, y));
    let lastGood: Record<string, number[]> = {};
    const run = fit(model, {
      optimizer: sgd(model),
      loss,
      trainData: data,
      epochs: 5,
      callbacks: [new NaNGuard(), { onBatchEnd: () => void (lastGood = weights(model)) }],
      ...quiet,
    });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(run).rejects.toThrow(
      'NaNGuard: the training loss is NaN at epoch 2, batch 1; training stopped before the optimizer step (check the data for NaN/Inf, lower the learning rate, or clip gradients)',
    );
    expect(weights(model)).toEqual(lastGood);
    expect(Number.isFinite(model.weight.item())).toBe(true);
    disposeBatches(data);
    model.dispose();
  });

  it('catches a diverging run', async () => {
    const data = regression(4, 8);
    manualSeed(1);
    const model = new Linear(1, 1);
    const before = memory().numTensors;
    const run = fit(model, {
      optimizer: sgd(model, 1e6),
      loss: mseFn,
      trainData: data,
      epochs: 50,
      callbacks: [new NaNGuard()],
      ...quiet,
    });
    await expect(run).rejects.toThrow(
      /^NaNGuard: the training loss is (NaN|Infinity) at epoch \d+, batch \d+;/,
    );
    expect(memory().numTensors).toBe(before);
    disposeBatches(data);
    model.dispose();
  });
});

describe('EarlyStopping', () => {
  const ctx = { hasValData: true } as FitContext;

  it('stops after `patience` epochs without an improvement of more than minDelta', () => {
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.01 });
    es.onTrainBegin();
    const seq = [1.0, 0.8, 0.795, 0.85, 0.7, 0.7, 0.71];
    const out = seq.map((v, i) => es.onEpochEnd(i, { val_loss: v }, ctx));
    expect(out).toEqual([undefined, undefined, undefined, 'stop', undefined, undefined, 'stop']);
    expect(es.best).toBe(0.7);
    expect(es.bestEpoch).toBe(4);
    expect(es.stoppedEpoch).toBe(6);
  });

  it("maximizes accuracy-like keys in 'auto' mode, and names the missing key", () => {
    const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
    es.onTrainBegin();
    expect(es.onEpochEnd(0, { val_accuracy: 0.5 }, ctx)).toBeUndefined();
    expect(es.onEpochEnd(1, { val_accuracy: 0.6 }, ctx)).toBeUndefined();
    expect(es.onEpochEnd(2, { val_accuracy: 0.55 }, ctx)).toBe('stop');
    expect(() => es.onEpochEnd(3, { loss: 1 }, ctx)).toThrow(
      "EarlyStopping: monitor 'val_accuracy' is not in the epoch logs (val_* keys need fit's valData); available: loss",
    );
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(
      'EarlyStopping: patience must be a non-negative integer, got -1',
    );
  });

  it('ends fit early and restores the best weights', async () => {
    const data = regression(2, 8);
    manualSeed(2);
    const model = new Linear(1, 1);
    // Gradient ascent: the loss grows every epoch, so epoch 1 is the best.
    const ascent: OptimizerLike = {
      paramGroups: [{ params: model.parameters(), lr: 0.05 }],
      step() {
        const lr = this.paramGroups[0].lr;
        for (const p of model.parameters()) if (p.grad) assign(p, p.add(p.grad.mul(lr)));
      },
      zeroGrad() {},
      stateDict: () => ({ state: {}, paramGroups: [] }),
      loadStateDict() {},
    };
    let afterFirst: Record<string, number[]> = {};
    const history = await fit(model, {
      optimizer: ascent,
      loss: mseFn,
      trainData: data,
      epochs: 20,
      callbacks: [
        { onEpochEnd: (e) => void (e === 0 && (afterFirst = weights(model))) },
        new EarlyStopping({ monitor: 'loss', patience: 2, restoreBest: true }),
      ],
      ...quiet,
    });
    expect(history.epoch).toEqual([0, 1, 2]);
    const loss = history.get('loss');
    expect(loss[2]).toBeGreaterThan(loss[1]);
    expect(weights(model)).toEqual(afterFirst);
    disposeBatches(data);
    model.dispose();
  });
});

describe('LearningRateScheduler', () => {
  const data = classification(3, 8, 3);
  afterAll(() => disposeBatches(data));

  it('steps a schedule per epoch (history lr is the lr each epoch trained with)', async () => {
    manualSeed(3);
    const model = new Linear(2, 3);
    const opt = new SGD(model.parameters(), { lr: 0.4 });
    const history = await fit(model, {
      optimizer: opt,
      loss: new CrossEntropyLoss(),
      trainData: data,
      epochs: 4,
      callbacks: [new LearningRateScheduler(new StepLR(opt, { stepSize: 1, gamma: 0.5 }))],
      ...quiet,
    });
    expect(history.get('lr')).toEqual([0.4, 0.2, 0.1, 0.05]);
    expect(opt.paramGroups[0].lr).toBe(0.025);
    model.dispose();
  });

  it('steps per batch', async () => {
    manualSeed(3);
    const model = new Linear(2, 3);
    const opt = new SGD(model.parameters(), { lr: 1 });
    const seen: number[] = [];
    await fit(model, {
      optimizer: opt,
      loss: new CrossEntropyLoss(),
      trainData: data,
      epochs: 2,
      callbacks: [
        { onBatchLoss: () => void seen.push(opt.paramGroups[0].lr) },
        new LearningRateScheduler(new LinearWarmup(opt, { warmupSteps: 4 }), { perBatch: true }),
      ],
      ...quiet,
    });
    expect(seen).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    model.dispose();
  });

  it('hands ReduceLROnPlateau the monitored metric', async () => {
    manualSeed(3);
    const model = new Linear(2, 3);
    const opt = new SGD(model.parameters(), { lr: 1 });
    const history = await fit(model, {
      optimizer: opt,
      loss: new CrossEntropyLoss(),
      trainData: data,
      epochs: 4,
      metrics: [{ name: 'flat', fn: () => 1 }],
      callbacks: [
        new LearningRateScheduler(new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 }), {
          monitor: 'flat',
        }),
      ],
      ...quiet,
    });
    // Epoch 1 sets the best; epochs 2 and 3 are bad: after the second (more than patience), halve.
    expect(history.get('lr')).toEqual([1, 1, 1, 0.5]);
    model.dispose();
  });
});

describe('Checkpoint and resume', () => {
  const data = classification(4, 16, 11);
  afterAll(() => disposeBatches(data));

  function build(seed: number) {
    manualSeed(seed);
    const model = new Sequential(new Linear(2, 12), new ReLU(), new Dropout(0.2), new Linear(12, 3));
    const optimizer = new Adam(model.parameters(), { lr: 0.02 });
    const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
    return { model, optimizer, schedule };
  }

  it('2 epochs + resume + 2 epochs gives the same losses as 4 epochs (seeded, with dropout and a schedule)', async () => {
    const opts = {
      loss: new CrossEntropyLoss(),
      trainData: data,
      valData: data.slice(0, 1),
      metrics: ['accuracy' as const],
      ...quiet,
    };
    const a = build(1);
    const full = await fit(a.model, {
      ...opts,
      optimizer: a.optimizer,
      epochs: 4,
      callbacks: [new LearningRateScheduler(a.schedule)],
    });

    const b = build(1);
    const path = join(dir, 'run.axon');
    const ck = new Checkpoint({ path });
    const first = await fit(b.model, {
      ...opts,
      optimizer: b.optimizer,
      epochs: 2,
      callbacks: [new LearningRateScheduler(b.schedule), ck],
    });
    expect(ck.saved).toEqual([path, path]);
    defaultGenerator().manualSeed(12345); // anything in between must not matter

    const c = build(99);
    const start = await resume(path, c.model, c.optimizer, { schedules: [c.schedule] });
    expect(start).toBe(2);
    const rest = await fit(c.model, {
      ...opts,
      optimizer: c.optimizer,
      epochs: 4,
      initialEpoch: start,
      callbacks: [new LearningRateScheduler(c.schedule)],
    });
    expect(rest.epoch).toEqual([2, 3]);
    for (const key of ['loss', 'accuracy', 'val_loss', 'lr']) {
      expect([...first.get(key), ...rest.get(key)]).toEqual(full.get(key));
    }
    expect(weights(c.model)).toEqual(weights(a.model));
    for (const x of [a, b, c]) {
      x.model.dispose();
      x.optimizer.dispose();
    }
  });

  it('saves every n-th epoch, or only the best, with {epoch} in the path', async () => {
    const m = build(2);
    const every = new Checkpoint({ path: join(dir, 'every-{epoch}.axon'), every: 2 });
    const best = new Checkpoint({
      path: join(dir, 'best-{epoch}.axon'),
      saveBestOnly: true,
      monitor: 'flat',
      mode: 'max',
    });
    const seq = [0.1, 0.5, 0.3, 0.6, 0.6];
    let flat = 0;
    await fit(m.model, {
      optimizer: m.optimizer,
      loss: new CrossEntropyLoss(),
      trainData: data,
      epochs: 5,
      metrics: [{ name: 'flat', fn: () => flat }],
      callbacks: [{ onEpochBegin: (e) => void (flat = seq[e]) }, every, best],
      ...quiet,
    });
    expect(every.saved.map((p) => p.slice(dir.length + 1))).toEqual(['every-2.axon', 'every-4.axon']);
    expect(best.saved.map((p) => p.slice(dir.length + 1))).toEqual([
      'best-1.axon',
      'best-2.axon',
      'best-4.axon',
    ]);
    expect(best.best).toBe(0.6);
    const files = await readdir(dir);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
    m.model.dispose();
    m.optimizer.dispose();
  });

  it('resume rejects a plain model file and a model that does not fit, naming the file', async () => {
    const { save } = await import('@axon/layers');
    const m = build(3);
    const plain = join(dir, 'plain.axon');
    await save(m.model, plain);
    await expect(resume(plain, m.model, m.optimizer)).rejects.toThrow(
      `resume: ${plain} is a model file without checkpoint state (write it with Checkpoint)`,
    );
    const path = join(dir, 'ck.axon');
    await fit(m.model, {
      optimizer: m.optimizer,
      loss: new CrossEntropyLoss(),
      trainData: data,
      epochs: 1,
      callbacks: [new Checkpoint({ path })],
      ...quiet,
    });
    manualSeed(3);
    const other = new Sequential(new Linear(2, 5), new Linear(5, 3));
    const before = memory().numTensors;
    await expect(resume(path, other, new SGD(other.parameters(), { lr: 1 }))).rejects.toThrow(
      `resume: ${path}: the checkpoint's weights do not fit this model`,
    );
    expect(memory().numTensors).toBe(before);
    m.model.dispose();
    other.dispose();
  });
});
