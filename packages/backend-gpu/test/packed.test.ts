/**
 * The packed (RGBA) products of the GL modes (src/packed.ts, src/packed_product.ts): the tiling
 * arithmetic everywhere, and in a GL mode (headless-gl, `scripts/test-node-gl.sh`) that matmul and
 * conv2d really take the packed path and agree with the cpu backend, also where a matrix's rows
 * are split into tiles (a lowered `packedSideLimit` makes small tensors tile) and where a texture
 * would not fit (the one-value kernels run instead). Under webasm the GL cases are skipped.
 */
import '@axon/backend-gpu';
import type { GpuBackend } from '@axon/backend-gpu';
import { ENGINE, kernels, matmul, memory, setBackend, type Tensor, tensor, transpose } from '@axon/tensor';
import { turnEventLoop } from '@axon/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tile } from '../src/packed';
import { data, runOn } from './helpers';

describe('tile', () => {
  it('one tile when the rows fit, its height at least 2', () => {
    expect(tile(100, 7, 8192)).toEqual({
      rows: 100,
      texelsPerRow: 7,
      height: 100,
      tiles: 1,
      width: 7,
      textureHeight: 100,
    });
    expect(tile(1, 5, 8192)).toMatchObject({ height: 1, tiles: 1, width: 5, textureHeight: 2 });
  });
  it('tiles side by side, each as tall as an even maximum side', () => {
    expect(tile(20000, 3, 8192)).toMatchObject({ height: 8192, tiles: 3, width: 9, textureHeight: 8192 });
    expect(tile(40, 2, 15)).toMatchObject({ height: 14, tiles: 3, width: 6 });
  });
  it('null where the tiles would be too wide, or nothing is there', () => {
    expect(tile(100, 30, 32)).toBeNull();
    expect(tile(0, 3, 8192)).toBeNull();
    expect(tile(3, 0, 8192)).toBeNull();
  });
});

const runKernel = (name: string, inputs: Tensor[], attrs: object) => ENGINE.runKernel(name, inputs, attrs)[0];

setBackend('gpu');
const backend = ENGINE.findBackend('gpu') as GpuBackend;
/** The packed path exists only in the GL modes. */
const gl = backend.isGl;
const defaultMinMacs = backend.packedMinMacs;
beforeEach(() => {
  backend.packedMinMacs = 0; // small products run packed too
});
afterEach(() => {
  backend.packedSideLimit = null;
  backend.packedMinMacs = defaultMinMacs;
});

/** Runs f on cpu and gpu, checks values and memory, and returns the gpu's packed kernel launches. */
async function compare(f: () => Tensor, tol = { rtol: 1e-5, atol: 2e-5 }): Promise<number> {
  await turnEventLoop();
  const [expected] = runOn('cpu', f);
  const before = memory().backends.gpu;
  const packed = backend.stats.packed;
  const [actual] = runOn('gpu', f);
  const ran = backend.stats.packed - packed;
  expect(memory().backends.gpu).toEqual(before);
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    if (Math.abs(actual.values[i] - e) > tol.atol + tol.rtol * Math.abs(e)) {
      expect.fail(`element ${i}: gpu ${actual.values[i]} vs cpu ${e} (shape ${expected.shape})`);
    }
  }
  return ran;
}

describe.runIf(gl)('packed products (GL modes)', () => {
  it('matmul packs both operands and runs the packed product: odd sizes, transposes, broadcast batches', async () => {
    expect(await compare(() => matmul(data([7, 13], 1), data([13, 5], 2)))).toBe(3);
    expect(await compare(() => matmul(transpose(data([13, 7], 3)), transpose(data([5, 13], 4))))).toBe(3);
    expect(await compare(() => matmul(data([3, 1, 4, 6], 5), data([5, 6, 3], 6)))).toBe(3);
    expect(await compare(() => matmul(data([1, 3], 7), data([3, 1], 8)))).toBe(3);
  });
  it('rows split into tiles: of a and c, and of bᵀ', async () => {
    backend.packedSideLimit = 16;
    expect(await compare(() => matmul(data([37, 13], 9), data([13, 9], 10)))).toBe(3);
    expect(await compare(() => matmul(data([9, 13], 11), data([13, 30], 12)))).toBe(3);
  });
  it('the one-value kernel where a packed texture would not fit', async () => {
    backend.packedSideLimit = 4;
    expect(await compare(() => matmul(data([7, 13], 13), data([13, 5], 14)))).toBe(0);
  });
  it('conv2d and both its gradients run as packed products, also tiled, with padding, stride, dilation and groups', async () => {
    const attrs = { stride: [2, 1], pad: [1, 2, 0, 1], dilation: [1, 2], groups: 2 } as kernels.Conv2DAttrs;
    const xShape = [3, 4, 9, 8];
    const wShape = [6, 2, 3, 3];
    const y = runOn('cpu', () => runKernel(kernels.Conv2D, [data(xShape, 15), data(wShape, 16)], attrs))[0]
      .shape;
    for (const limit of [null, 40]) {
      backend.packedSideLimit = limit;
      expect(
        await compare(() => runKernel(kernels.Conv2D, [data(xShape, 15), data(wShape, 16)], attrs)),
      ).toBe(3);
      expect(
        await compare(() =>
          runKernel(kernels.Conv2DBackpropInput, [data(y, 17), data(wShape, 16)], {
            ...attrs,
            inputShape: xShape,
          }),
        ),
      ).toBe(3);
      expect(
        await compare(() =>
          runKernel(kernels.Conv2DBackpropFilter, [data(xShape, 15), data(y, 17)], {
            ...attrs,
            filterShape: wShape,
          }),
        ),
      ).toBe(3);
    }
  });
});

describe.runIf(gl)('reads of uploaded int32 and bool tensors (GL modes)', () => {
  it('come from the host copy, without a trip to the device; computed ones still read back', () => {
    const labels = tensor(Int32Array.from([3, 1, 4, 1, 5]), 'int32');
    const mask = tensor([true, false, true]);
    const reads = backend.stats.readbacks;
    expect(Array.from(labels.dataSync())).toEqual([3, 1, 4, 1, 5]);
    expect(Array.from(mask.dataSync())).toEqual([1, 0, 1]);
    expect(backend.stats.readbacks).toBe(reads);
    const twice = labels.mul(2);
    expect(Array.from(twice.dataSync())).toEqual([6, 2, 8, 2, 10]);
    expect(backend.stats.readbacks).toBe(reads + 1);
    for (const t of [labels, mask, twice]) t.dispose();
  });
});
