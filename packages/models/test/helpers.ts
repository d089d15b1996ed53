// Shared helpers for the model zoo tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnyModule, fromBytes, load, type Module, save, toBytes } from '@axon/layers';
import type { StepContext, StepLogs } from '@axon/models';
import { Adam, type AdamOptions, type Optimizer } from '@axon/optim';
import { assign, Generator, memory, mul, sub, Tensor, tidy } from '@axon/tensor';
import { numel, valuesOf } from '@axon/testing';
import { createStepContext } from '@axon/train';
import { expect } from 'vitest';

type Forward = { forward(x: Tensor): Tensor };

export function run(model: Module, x: Tensor): number[] {
  return tidy(() => Array.from((model as unknown as Forward).forward(x).dataSync()));
}

/** Parameter count by shape products, independent of Module.numParameters. */
export function countByShapes(model: Module): number {
  return model.parameters().reduce((n, p) => n + numel(p.shape), 0);
}

/** Every state-dict tensor's values, by name (bit-exact comparison with toEqual). */
function stateValues(model: AnyModule): Record<string, number[]> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));
}

/**
 * save → load through a real file (and toBytes → fromBytes in memory): the loaded model has the
 * same class, config, state-dict names and bit-identical state-dict values, and gives
 * bit-identical outputs (eval mode) for `x` — through `forward(x)`, or through `apply(model)`
 * when given (a model whose forward takes more than x, or a method other than forward).
 */
export async function expectSaveLoadRoundTrip<M extends AnyModule>(
  model: M,
  x: Tensor,
  apply?: (m: M) => Tensor,
): Promise<void> {
  const out = (m: M): number[] =>
    apply ? tidy(() => Array.from(apply(m).dataSync())) : run(m as unknown as Module, x);
  model.eval();
  const expected = out(model);
  const state = stateValues(model);
  const dir = mkdtempSync(join(tmpdir(), 'axon-models-'));
  try {
    const path = join(dir, 'model.axon');
    await save(model, path);
    const { model: loaded } = await load<M>(path);
    expect(loaded.constructor).toBe(model.constructor);
    expect(loaded.config()).toEqual(model.config());
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(model.stateDict()));
    expect(stateValues(loaded)).toEqual(state);
    loaded.eval();
    expect(out(loaded)).toEqual(expected);
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { model: fromMem } = fromBytes<M>(toBytes(model));
  fromMem.eval();
  expect(stateValues(fromMem)).toEqual(state);
  expect(out(fromMem)).toEqual(expected);
  fromMem.dispose();
  model.train();
}

/**
 * `steps` of plain gradient descent on `lossFn(model)`; returns the losses, one per step. Leaks
 * no tensor (checked).
 */
export function trainSteps(model: Module, lossFn: () => Tensor, steps: number, lr: number): number[] {
  const before = memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    tidy(() => {
      const loss = lossFn();
      loss.backward();
      losses.push(loss.item());
      for (const p of model.parameters()) if (p.grad) assign(p, sub(p, mul(p.grad, lr)));
    });
    model.zeroGrad();
  }
  expect(memory().numTensors).toBe(before);
  expect(losses.every(Number.isFinite), `losses: ${losses.join(', ')}`).toBe(true);
  return losses;
}

/** Every value of `t` lies in [-bound, bound], and they are not all ~0 (so init really ran). */
export function expectUniformWithin(t: Tensor, bound: number): void {
  const v = valuesOf(t);
  const maxAbs = v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
  expect(maxAbs).toBeLessThanOrEqual(bound + 1e-7);
  if (v.length >= 16) expect(maxAbs).toBeGreaterThan(bound * 0.5);
}

/**
 * A step context as `fit` makes one (@axon/train's `createStepContext`), over named optimizers:
 * `{ default: opt }` for a one-optimizer model, `{ gen, disc }` for a GAN.
 */
export function stepContext(
  optimizers: Record<string, Optimizer>,
  options: { generator?: Generator; step?: number; training?: boolean } = {},
): StepContext {
  return createStepContext({
    optimizers,
    step: options.step ?? 0,
    batch: options.step ?? 0,
    generator: options.generator ?? new Generator((options.step ?? 0) + 1),
    training: options.training ?? true,
  });
}

/** Adam over a module's parameters (for a step context). */
export function adam(model: AnyModule, options: AdamOptions = {}): Optimizer {
  return new Adam(model.parameters(), options);
}

/** Numbers from a step's logs (tensors read back, as the training loop does). */
export function logValues(logs: StepLogs): Record<string, number> {
  return Object.fromEntries(
    Object.entries(logs).map(([k, v]) => [k, v instanceof Tensor ? v.item() : (v as number)]),
  );
}

/**
 * Runs `steps` training steps of `model.trainStep` on `batch(i)` with a context over `optimizers`
 * (one seeded generator throughout); returns the logs of each step as numbers. Leaks no tensor
 * (checked: after the first step, which creates the optimizers' state, the count stays put), and
 * every logged value is finite.
 */
export function runTrainSteps(
  model: { trainStep(batch: { x: Tensor; y?: Tensor }, ctx: StepContext): StepLogs },
  batch: (i: number) => { x: Tensor; y?: Tensor },
  optimizers: Record<string, Optimizer>,
  steps: number,
  seed = 1,
): Record<string, number>[] {
  const generator = new Generator(seed);
  const logs: Record<string, number>[] = [];
  let afterFirst = 0;
  for (let i = 0; i < steps; i++) {
    logs.push(
      tidy(() => logValues(model.trainStep(batch(i), stepContext(optimizers, { generator, step: i })))),
    );
    if (i === 0) afterFirst = memory().numTensors;
  }
  expect(memory().numTensors).toBe(afterFirst);
  for (const l of logs) {
    for (const [k, v] of Object.entries(l)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
  }
  return logs;
}
