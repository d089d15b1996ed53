/**
 * fit and evaluate over models that own their step (trainStep / evalStep): training, several
 * optimizers, logs read back only every logEvery batches, the seed, checkpoint + resume, NaNGuard,
 * and the errors for contradictory options.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linear } from '@axon/layers';
import { Adam, SGD, StepLR } from '@axon/optim';
import {
  cast,
  crossEntropy,
  defaultGenerator,
  ENGINE,
  manualSeed,
  memory,
  mse,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';
import { expectClose, expectError } from '@axon/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Batch,
  type Callback,
  Checkpoint,
  createStepContext,
  evaluate,
  type FitContext,
  fit,
  LearningRateScheduler,
  type Logs,
  type MetricSpec,
  NaNGuard,
  NonFiniteLossError,
  resume,
  type StepContext,
} from '../src';
import { captureOutput, classification, disposeBatches } from './helpers';
import { paramValues, points, TinyAutoencoder, ToyGan, unlabeled } from './step_models';

const quiet = { progress: false as const };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'axon-step-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function autoencoder(seed = 1) {
  manualSeed(seed);
  const model = new TinyAutoencoder();
  return { model, optimizer: new Adam(model.parameters(), { lr: 0.05 }) };
}

function gan(seed = 1) {
  manualSeed(seed);
  const model = new ToyGan();
  const optimizers = {
    gen: new Adam(model.gen.parameters(), { lr: 0.01 }),
    disc: new Adam(model.disc.parameters(), { lr: 0.02 }),
  };
  return { model, optimizers };
}

/**
 * Counts the reads from the device to the host: the engine's `read` (what `data()` does) and
 * `readSync` (`dataSync()`, `item()`, and anything inside an op or an optimizer that reads).
 */
function countReads() {
  const counts = { read: 0, readSync: 0 };
  const read = ENGINE.read.bind(ENGINE);
  const readSync = ENGINE.readSync.bind(ENGINE);
  vi.spyOn(ENGINE, 'read').mockImplementation((t) => {
    counts.read++;
    return read(t);
  });
  vi.spyOn(ENGINE, 'readSync').mockImplementation((t) => {
    counts.readSync++;
    return readSync(t);
  });
  return counts;
}

describe("fit's supervised step under logEvery", () => {
  const train = (logEvery?: number | 'epoch', metrics: MetricSpec[] = ['accuracy', 'topk:2']) => {
    manualSeed(3);
    const model = new Linear(2, 3);
    const optimizer = new SGD(model.parameters(), { lr: 0.5 });
    return {
      model,
      optimizer,
      run: (data: Batch[], extra = {}) =>
        fit(model, {
          optimizer,
          loss: crossEntropy,
          metrics,
          trainData: data,
          epochs: 2,
          logEvery,
          ...quiet,
          ...extra,
        }),
    };
  };

  it('gives the epoch logs of the per-batch step (loss, accuracy, top-k), read back per window', async () => {
    const data = classification(10, 16);
    const perBatch = train();
    const windowed = train(4);
    const a = await perBatch.run(data);
    const b = await windowed.run(data);
    expect(b.keys()).toEqual(a.keys());
    for (const key of a.keys()) expectClose(b.get(key), a.get(key), { rtol: 1e-6, atol: 1e-7 });
    expect(paramValues(windowed.model)).toEqual(paramValues(perBatch.model));
    for (const r of [perBatch, windowed]) {
      r.model.dispose();
      r.optimizer.dispose();
    }
    disposeBatches(data);
  });

  it('reads nothing back inside a step: one read per window, with float targets', async () => {
    const data = classification(12, 16).map((b) => ({
      x: b.x,
      y: cast(b.y as Tensor, 'float32').reshape([16, 1]),
    }));
    manualSeed(3);
    const model = new Linear(2, 1);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const seen: number[] = [];
    const before = memory().numTensors;
    const counts = countReads();
    await fit(model, {
      optimizer,
      loss: mse,
      metrics: ['binaryAccuracy:1'],
      trainData: data,
      epochs: 2,
      logEvery: 5,
      callbacks: [{ onBatchEnd: (batch, logs) => void ('loss' in logs && seen.push(batch)) }],
      ...quiet,
    });
    expect(counts).toEqual({ read: 6, readSync: 0 }); // batches 5, 10, 12, twice
    vi.restoreAllMocks();
    expect(seen).toEqual([4, 9, 11, 4, 9, 11]);
    expect(memory().numTensors).toBe(before); // the loop is flat: the window's sums are freed
    model.dispose();
    optimizer.dispose();
    disposeBatches(data);
  });

  it('stops at the read-back whose loss is not finite (NaNGuard)', async () => {
    const data = classification(6, 8);
    const bad = data.map((b, i) => (i === 1 ? { x: b.x.mul(Number.NaN), y: b.y } : b));
    const { model, optimizer, run } = train(3, []);
    await expect(run(bad, { callbacks: [new NaNGuard()] })).rejects.toThrow(
      "NaNGuard: the logged 'loss' is NaN at epoch 1, batch 3 (its mean over batches 1-3 of the epoch, read back then)",
    );
    model.dispose();
    optimizer.dispose();
    disposeBatches(data);
  });
});

describe('fit with a model that owns its step', () => {
  const data = unlabeled(12, 16);
  afterAll(() => disposeBatches(data));

  it('trains an autoencoder on batches of x alone: the loss falls; evaluate uses its evalStep', async () => {
    const { model, optimizer } = autoencoder();
    const before = await evaluate(model, data);
    const history = await fit(model, {
      optimizer,
      trainData: data,
      valData: data.slice(0, 4),
      epochs: 8,
      ...quiet,
    });
    expect(history.keys()).toEqual(['loss', 'val_loss', 'lr']);
    const loss = history.get('loss');
    expect(loss[7]).toBeLessThan(loss[0] * 0.5);
    const after = await evaluate(model, data);
    expect(Object.keys(after)).toEqual(['loss']);
    expect(after.loss).toBeLessThan(before.loss * 0.5);
    // Validation runs the same evalStep as evaluate.
    expect(history.get('val_loss')[7]).toBeCloseTo((await evaluate(model, data.slice(0, 4))).loss, 6);
    model.dispose();
    optimizer.dispose();
  });

  it('reads nothing back from the device but the logged scalars, every logEvery batches, in one read each', async () => {
    const { model, optimizer } = autoencoder();
    const seen: { batch: number; logs: Logs }[] = [];
    const probe: Callback = { onBatchEnd: (batch, logs) => void seen.push({ batch, logs: { ...logs } }) };
    // A function giving a generator: the source does not tell its length, so the tail (batches
    // 8-11 of 12 with logEvery 5: 10 and 11) is read at the epoch's end.
    const source = function* () {
      yield* data;
    };
    const counts = countReads();
    const history = await fit(model, {
      optimizer,
      trainData: source,
      epochs: 2,
      logEvery: 5,
      callbacks: [probe],
      ...quiet,
    });
    expect(counts).toEqual({ read: 6, readSync: 0 }); // batches 5, 10 and the tail, twice
    vi.restoreAllMocks();
    expect(seen).toHaveLength(24);
    expect(seen.filter((s) => 'loss' in s.logs).map((s) => s.batch)).toEqual([4, 9, 4, 9]);
    for (const s of seen) expect(s.logs.size).toBe(16);
    expect(history.get('loss')).toHaveLength(2);
    model.dispose();
    optimizer.dispose();
  });

  it('reports read-back means over the window and epoch means that match reading every batch', async () => {
    const runWith = async (logEvery: number | 'epoch') => {
      const { model, optimizer } = autoencoder(3);
      const batches: Logs[] = [];
      const history = await fit(model, {
        optimizer,
        trainData: data,
        epochs: 2,
        logEvery,
        callbacks: [{ onBatchEnd: (_b, logs) => void batches.push({ ...logs }) }],
        ...quiet,
      });
      model.dispose();
      optimizer.dispose();
      return { history, batches };
    };
    const every = await runWith(1);
    const four = await runWith(4);
    const epoch = await runWith('epoch');
    const perBatch = every.batches.map((l) => l.loss);
    // Batch 3 of epoch 1 reads the mean of batches 0-3 (equal sizes).
    expectClose(four.batches[3].loss, (perBatch[0] + perBatch[1] + perBatch[2] + perBatch[3]) / 4, {
      rtol: 1e-6,
    });
    expect(four.batches[2]).toEqual({ size: 16 });
    // An array tells its length: its last batch is a read-back even with logEvery 'epoch'.
    expect(epoch.batches.filter((l) => 'loss' in l)).toHaveLength(2);
    expectClose(epoch.batches[11].loss, perBatch.slice(0, 12).reduce((a, b) => a + b) / 12, { rtol: 1e-6 });
    for (const r of [four, epoch])
      expectClose(r.history.get('loss'), every.history.get('loss'), { rtol: 1e-6 });
  });

  it('steps two optimizers, each over its own parameters only, and clears every gradient', async () => {
    const pts = points(3, 8);
    for (const mode of ['disc', 'gen'] as const) {
      const { model, optimizers } = gan();
      model.mode = mode;
      const gen0 = paramValues(model, 'gen.');
      const disc0 = paramValues(model, 'disc.');
      const grads: (Tensor | null)[] = [];
      await fit(model, {
        optimizers,
        trainData: pts,
        epochs: 1,
        callbacks: [{ onBatchEnd: () => void grads.push(...model.parameters().map((p) => p.grad)) }],
        ...quiet,
      });
      expect(grads.every((g) => g === null)).toBe(true);
      const [moved, kept] = mode === 'disc' ? ['disc.', 'gen.'] : ['gen.', 'disc.'];
      expect(paramValues(model, kept)).toEqual(mode === 'disc' ? gen0 : disc0);
      expect(paramValues(model, moved)).not.toEqual(mode === 'disc' ? disc0 : gen0);
      model.dispose();
      for (const o of Object.values(optimizers)) o.dispose();
    }
    disposeBatches(pts);
  });

  it('gives callbacks the optimizers by name, logs each learning rate, and averages a key over the steps that log it', async () => {
    const pts = points(4, 8);
    const { model, optimizers } = gan();
    let ctxSeen: FitContext | undefined;
    const steps: number[] = [];
    const counts = countReads();
    const history = await fit(model, {
      optimizers,
      trainData: pts,
      epochs: 2,
      logEvery: 1,
      callbacks: [
        { onTrainBegin: (ctx) => void (ctxSeen = ctx) },
        { onBatchEnd: (_b, logs, ctx) => void steps.push(ctx.step, 'g_loss' in logs ? 1 : 0) },
      ],
      ...quiet,
    });
    // One read a batch, however many keys: d_loss and g_loss go back stacked.
    expect(counts).toEqual({ read: 8, readSync: 0 });
    vi.restoreAllMocks();
    expect(ctxSeen?.optimizers).toEqual(optimizers);
    expect(ctxSeen?.optimizer).toBeUndefined();
    expect(ctxSeen?.customStep).toBe(true);
    expect(history.keys()).toEqual(['d_loss', 'g_loss', 'lr_gen', 'lr_disc']);
    expect(history.get('lr_gen')).toEqual([0.01, 0.01]);
    // ctx.step is global: g_loss is logged on even steps only.
    expect(steps).toEqual([1, 1, 2, 0, 3, 1, 4, 0, 5, 1, 6, 0, 7, 1, 8, 0]);
    for (const v of [...history.get('d_loss'), ...history.get('g_loss')])
      expect(Number.isFinite(v)).toBe(true);
    model.dispose();
    for (const o of Object.values(optimizers)) o.dispose();
    disposeBatches(pts);
  });

  it('is reproducible: the same seed gives the same run, another seed another', async () => {
    const pts = points(3, 8);
    const runWith = async (seed: number) => {
      const { model, optimizers } = gan(5);
      const h = await fit(model, { optimizers, trainData: pts, epochs: 2, seed, ...quiet });
      const w = paramValues(model);
      model.dispose();
      for (const o of Object.values(optimizers)) o.dispose();
      return { losses: [...h.get('d_loss'), ...h.get('g_loss')], w };
    };
    const a = await runWith(7);
    const b = await runWith(7);
    const c = await runWith(8);
    expect(b).toEqual(a);
    expect(c.losses).not.toEqual(a.losses);
    disposeBatches(pts);
  });

  it('checkpoint + resume with two optimizers, a schedule and step randomness reproduces the uninterrupted run exactly', async () => {
    const pts = points(5, 8);
    const val = points(2, 8, 3);
    const opts = { trainData: pts, valData: val, seed: 11, logEvery: 2, ...quiet };
    const schedule = (o: { gen: Adam }) =>
      new LearningRateScheduler(new StepLR(o.gen, { stepSize: 1, gamma: 0.5 }));

    // The generator trains every third global step: 2 epochs of 5 steps end on step 10, so a
    // resumed run that miscounted its steps would train it on other steps.
    const a = gan(4);
    a.model.genEvery = 3;
    const full = await fit(a.model, {
      ...opts,
      optimizers: a.optimizers,
      epochs: 4,
      callbacks: [schedule(a.optimizers)],
    });

    const b = gan(4);
    b.model.genEvery = 3;
    const path = join(dir, 'gan.axon');
    const sb = schedule(b.optimizers);
    await fit(b.model, {
      ...opts,
      optimizers: b.optimizers,
      epochs: 2,
      callbacks: [sb, new Checkpoint({ path })],
    });
    defaultGenerator().manualSeed(999); // whatever happens in between must not matter

    const c = gan(77);
    c.model.genEvery = 3;
    const sc = schedule(c.optimizers);
    const start = await resume(path, c.model, c.optimizers, { schedules: [sc.schedule] });
    expect(start).toBe(2);
    const rest = await fit(c.model, {
      ...opts,
      optimizers: c.optimizers,
      epochs: 4,
      initialEpoch: start,
      callbacks: [sc],
    });
    expect(rest.epoch).toEqual([2, 3]);
    for (const key of ['d_loss', 'g_loss', 'val_d_loss', 'lr_gen', 'lr_disc']) {
      expect(rest.get(key), key).toEqual(full.get(key).slice(2));
    }
    expect(paramValues(c.model)).toEqual(paramValues(a.model));
    for (const x of [a, b, c]) {
      x.model.dispose();
      for (const o of Object.values(x.optimizers)) o.dispose();
    }
    disposeBatches(pts);
    disposeBatches(val);
  });

  it('resume names the optimizers a checkpoint holds when they do not match', async () => {
    const pts = points(2, 8);
    const g = gan(2);
    const path = join(dir, 'names.axon');
    await fit(g.model, {
      optimizers: g.optimizers,
      trainData: pts,
      epochs: 1,
      callbacks: [new Checkpoint({ path })],
      ...quiet,
    });
    await expect(resume(path, g.model, g.optimizers.gen)).rejects.toThrow(
      `resume: ${path} holds 2 optimizers (gen, disc): pass them by name, { gen, disc }`,
    );
    await expect(resume(path, g.model, { gen: g.optimizers.gen, critic: g.optimizers.disc })).rejects.toThrow(
      `resume: ${path} holds the optimizers gen, disc, got gen, critic`,
    );
    g.model.dispose();
    for (const o of Object.values(g.optimizers)) o.dispose();
    disposeBatches(pts);
  });

  it('NaNGuard stops at the read-back that sees a non-finite log, naming the key and the window', async () => {
    const { model } = autoencoder();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 }); // no state: the tensor count comes back
    let calls = 0;
    const step = model.trainStep.bind(model);
    model.trainStep = (batch: Batch, ctx: StepContext) => {
      const logs = step(batch, ctx);
      return ++calls === 7 ? { ...logs, loss: Number.NaN } : logs;
    };
    const before = memory().numTensors;
    const run = fit(model, {
      optimizer,
      trainData: data,
      epochs: 3,
      logEvery: 4,
      callbacks: [new NaNGuard()],
      ...quiet,
    });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(run).rejects.toThrow(
      "NaNGuard: the logged 'loss' is NaN at epoch 1, batch 8 (its mean over batches 5-8 of the epoch, read back then); training stopped after those steps (set fit's logEvery: 1",
    );
    expect(memory().numTensors).toBe(before);
    model.dispose();
  });

  it('uses 10 batches between read-backs under a progress bar and the epoch otherwise; prints the logs', async () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const seen: (number | 'epoch')[] = [];
      const probe: Callback = { onTrainBegin: (ctx) => void seen.push(ctx.logEvery) };
      for (const out of [captureOutput(true), captureOutput(false)]) {
        const { model, optimizer } = autoencoder();
        await fit(model, { optimizer, trainData: data, epochs: 1, callbacks: [probe], progressOutput: out });
        model.dispose();
        optimizer.dispose();
        if (!out.isTTY) expect(out.text).toMatch(/^epoch 1\/1 {2}loss \d\.\d{4} {2}\d+\.\d s\n$/);
      }
      expect(seen).toEqual([10, 'epoch']);
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  it('throws clear errors for contradictory options and bad step results', async () => {
    const { model, optimizer } = autoencoder();
    const base = { optimizer, trainData: data.slice(0, 2), epochs: 1, ...quiet };
    await expect(fit(model, { ...base, optimizers: { a: optimizer } })).rejects.toThrow(
      'fit: give optimizer or optimizers, not both',
    );
    await expect(fit(model, { ...base, optimizer: undefined })).rejects.toThrow(
      'fit: an optimizer is required',
    );
    await expect(fit(model, { ...base, optimizer: undefined, optimizers: {} })).rejects.toThrow(
      'fit: optimizers is empty',
    );
    await expect(
      fit(model, { ...base, optimizer: undefined, optimizers: { 'a/b': optimizer } }),
    ).rejects.toThrow(
      "fit: expected optimizer names to be identifiers (letters, digits and _, not first a digit), got 'a/b'",
    );
    await expect(
      fit(model, { ...base, optimizer: undefined, optimizers: { a: optimizer, b: optimizer } }),
    ).rejects.toThrow('fit: optimizers.a and optimizers.b are the same optimizer');
    await expect(fit(model, { ...base, logEvery: 0 })).rejects.toThrow(
      "fit: expected logEvery to be a positive integer or 'epoch', got number 0",
    );
    await expect(fit(model, { ...base, loss: (p: Tensor) => p.sum() })).rejects.toThrow(
      "fit: loss is not used: the model's trainStep and evalStep compute their own losses",
    );
    await expect(fit(model, { ...base, metrics: ['accuracy'] })).rejects.toThrow(
      'fit: metrics are computed by the supervised step',
    );
    await expect(fit(model, { ...base, seed: 1.5 })).rejects.toThrow(
      'fit: expected seed to be an integer, got number 1.5',
    );
    const bad = (logs: unknown) => {
      model.trainStep = () => logs as never;
      return fit(model, base);
    };
    await expect(bad(3)).rejects.toThrow(
      'fit: trainStep: expected the step to return its logs as an object of named scalars ({ loss }), got number 3',
    );
    await expect(bad({ loss: tensor([1, 2]) })).rejects.toThrow(
      new ShapeError(
        "fit: trainStep: expected log 'loss' to be a scalar (a 0-d or 1-element Tensor, or a number), got shape [2]",
      ),
    );
    await expect(bad({ val_loss: 1 })).rejects.toThrow("fit: trainStep: the log name 'val_loss' is reserved");
    await expect(bad({ loss: 'low' })).rejects.toThrow(
      'fit: trainStep: expected log \'loss\' to be a scalar Tensor or a number, got string "low"',
    );

    // A plain model needs y, and a loss; a stepped model without evalStep cannot be evaluated alone.
    manualSeed(1);
    const plain = new Linear(4, 4);
    const sgd = new SGD(plain.parameters(), { lr: 0.1 });
    await expect(fit(plain, { optimizer: sgd, trainData: data, epochs: 1, ...quiet })).rejects.toThrow(
      'fit: loss is required for the supervised step (the model has no trainStep of its own)',
    );
    await expect(
      fit(plain, { optimizer: sgd, loss: (p: Tensor) => p.sum(), trainData: data, epochs: 1, ...quiet }),
    ).rejects.toThrow(
      'fit: trainData: batch 1 of epoch 1: expected {x: Tensor, y: Tensor}, got keys x (batches without targets need a model with its own trainStep',
    );
    const trainOnly = Object.assign(new Linear(4, 4), {
      trainStep: (b: Batch, ctx: StepContext) => {
        const loss = b.x.square().mean();
        ctx.minimize(loss);
        return { loss };
      },
    });
    await expect(
      fit(trainOnly, {
        optimizer: new SGD(trainOnly.parameters(), { lr: 0.1 }),
        loss: (p: Tensor) => p.sum(),
        trainData: data,
        epochs: 1,
        ...quiet,
      }),
    ).rejects.toThrow("fit: loss is not used: the model's trainStep computes its own loss");
    await expect(evaluate(trainOnly, data)).rejects.toThrow(
      'evaluate: the model has a trainStep but no evalStep: give it evalStep(batch, ctx), or pass a loss',
    );
    await expect(
      fit(trainOnly, {
        optimizer: new SGD(trainOnly.parameters(), { lr: 0.1 }),
        trainData: data,
        valData: data,
        epochs: 1,
        ...quiet,
      }),
    ).rejects.toThrow('fit: valData needs the model to have an evalStep');
    await expect(evaluate(model, data, { loss: (p: Tensor) => p.sum() })).rejects.toThrow(
      "evaluate: loss and metrics are for the supervised evaluation; the model's evalStep returns its own logs",
    );
    model.dispose();
    plain.dispose();
    trainOnly.dispose();
    optimizer.dispose();
  });
});

describe('StepContext', () => {
  it('minimize: picks the default optimizer, a named one, and says which exist when it cannot', () => {
    manualSeed(3);
    const model = new ToyGan();
    const gen = new SGD(model.gen.parameters(), { lr: 0.1 });
    const disc = new SGD(model.disc.parameters(), { lr: 0.1 });
    const x = tensor([[1, -1]]);
    const ctx = createStepContext({ optimizers: { gen, disc }, model });
    expect(ctx.optimizer).toBeUndefined();
    const loss = () => model.disc.forward(model.gen.forward(x)).square().mean();
    expectError(
      () => ctx.minimize(loss()),
      ValueError,
      'minimize',
      "several optimizers (gen, disc) and none is named 'default'",
    );
    expectError(
      () => ctx.minimize(loss(), 'critic'),
      ValueError,
      'minimize',
      "one of fit's optimizers (gen, disc), got 'critic'",
    );
    expectError(
      () => ctx.minimize(loss(), new SGD(model.parameters(), { lr: 1 })),
      ValueError,
      'minimize',
      "not one of fit's optimizers (gen, disc)",
    );
    expectError(
      () => ctx.minimize(tensor([1, 2]).mul(model.gen.weight.sum()), 'gen'),
      ShapeError,
      'minimize',
      'got shape [2]',
    );
    expectError(
      () => ctx.minimize(tensor(1), 'gen'),
      ValueError,
      'minimize',
      'does not depend on any parameter',
    );
    const before = paramValues(model, 'disc.');
    ctx.minimize(loss(), 'gen');
    expect(paramValues(model, 'disc.')).toEqual(before);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    const single = createStepContext({ optimizers: { default: gen, disc } });
    expect(single.optimizer).toBe(gen);
    const evalCtx = createStepContext({ optimizers: { gen }, training: false });
    expectError(() => evalCtx.minimize(loss()), ValueError, 'minimize', 'called in evaluation');
    expectError(
      () => createStepContext({ step: -1 }),
      ValueError,
      'createStepContext',
      'step',
      'non-negative integer',
    );
    x.dispose();
    model.dispose();
  });
});
