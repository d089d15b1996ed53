// Shared helpers for the model zoo tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBytes, load, type Module, save, toBytes } from '@axon/layers';
import { assign, memory, mul, sub, type Tensor, tidy } from '@axon/tensor';
import { numel, valuesOf } from '@axon/testing';
import { expect } from 'vitest';

type Forward = { forward(x: Tensor): Tensor };

export function run(model: Module, x: Tensor): number[] {
  return tidy(() => Array.from((model as unknown as Forward).forward(x).dataSync()));
}

/** Parameter count by shape products, independent of Module.numParameters. */
export function countByShapes(model: Module): number {
  return model.parameters().reduce((n, p) => n + numel(p.shape), 0);
}

/**
 * save → load through a real file (and toBytes → fromBytes in memory): the loaded model has the
 * same class, config and state-dict names, and gives bit-identical outputs on `x` (eval mode).
 */
export async function expectSaveLoadRoundTrip(model: Module, x: Tensor): Promise<void> {
  model.eval();
  const expected = run(model, x);
  const dir = mkdtempSync(join(tmpdir(), 'axon-models-'));
  try {
    const path = join(dir, 'model.axon');
    await save(model, path);
    const { model: loaded } = await load(path);
    expect(loaded.constructor).toBe(model.constructor);
    expect(loaded.config()).toEqual(model.config());
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(model.stateDict()));
    loaded.eval();
    expect(run(loaded, x)).toEqual(expected);
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { model: fromMem } = fromBytes(toBytes(model));
  fromMem.eval();
  expect(run(fromMem, x)).toEqual(expected);
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
