import type { Module } from '@axon/layers';
import { SGD } from '@axon/optim';
import { argmax, manualSeed, randn, type Tensor, tensor, tidy } from '@axon/tensor';
import type { Batch, ProgressOutput } from '../src';

/**
 * A 3-class problem in 2-D: class = argmax of a fixed linear map of x, so a linear model learns
 * it. `batches` pre-made batches of `size` rows (float32 x [size, 2], int32 y [size]).
 */
export function classification(batches: number, size: number, seed = 7): Batch[] {
  manualSeed(seed);
  const w = tensor([
    [2, -1, 0.5],
    [0.5, 1.5, -2],
  ]);
  const out: Batch[] = [];
  for (let i = 0; i < batches; i++) {
    out.push(
      tidy(() => {
        const x = randn([size, 2]);
        return { x, y: argmax(x.matmul(w), 1) };
      }),
    );
  }
  w.dispose();
  return out;
}

/** y = 3x − 1 with x in [-1, 1]: batches for a regression. */
export function regression(batches: number, size: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < batches; i++) {
    const xs = Array.from({ length: size }, (_, j) => [((i * size + j) % 17) / 8 - 1]);
    out.push({ x: tensor(xs), y: tensor(xs.map(([v]) => [3 * v - 1])) });
  }
  return out;
}

export function disposeBatches(batches: Batch[]): void {
  for (const b of batches) {
    b.x.dispose();
    b.y?.dispose();
  }
}

/** Collects what fit writes as progress. */
export function captureOutput(isTTY = false): ProgressOutput & { text: string } {
  const out = {
    text: '',
    isTTY,
    write(s: string) {
      out.text += s;
      return true;
    },
  };
  return out;
}

export function sgd(model: Module, lr = 0.1): SGD {
  return new SGD(model.parameters(), { lr });
}

/** Values of every parameter, flat, by name. */
export function weights(model: Module): Record<string, number[]> {
  return Object.fromEntries(model.namedParameters().map(([k, t]) => [k, [...t.dataSync()]]));
}

/** Mean squared error written by hand (a loss function rather than a loss Module). */
export function mseFn(pred: Tensor, y: Tensor): Tensor {
  return pred.sub(y).square().mean();
}
