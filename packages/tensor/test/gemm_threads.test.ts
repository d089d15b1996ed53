/**
 * The worker pool for large float32 products: every thread count gives the same bits (mid-sized
 * products too, which use only awake workers), workers never keep a process alive, and the
 * setting is checked.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seededValues } from '@axon/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { AWAKE_MIN_WORK, THREAD_MIN_WORK } from '../src/backends/cpu/kernels/gemm_threads';
import {
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dWithAttrs,
  getNumThreads,
  matmul,
  setNumThreads,
  type Tensor,
  tensor,
  ValueError,
} from './helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const initial = getNumThreads().threads;
afterAll(() => setNumThreads(initial));

/** Runs `f` with `n` threads, once the pool's workers are up (they join when ready). */
async function withThreads(n: number, f: () => Float32Array): Promise<Float32Array> {
  setNumThreads(n);
  f(); // starts the workers
  for (let i = 0; i < 200 && getNumThreads().readyWorkers < n - 1; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(getNumThreads().readyWorkers).toBe(n - 1);
  return f();
}

const rnd = (shape: number[], seed: number): Tensor =>
  tensor(
    seededValues(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    { shape },
  );

/** A 3×3 convolution's attrs that keep the image size (stride 1, padding 1). */
const SAME_3X3 = {
  stride: [1, 1] as [number, number],
  pad: [1, 1, 1, 1] as [number, number, number, number],
  dilation: [1, 1] as [number, number],
  groups: 1,
};

describe('cpu gemm worker pool', () => {
  it('gives the same bits for 1, 2 and 3 threads, for every layout', async () => {
    const cases: [number[], number[], { transposeA?: boolean; transposeB?: boolean }][] = [
      [[400, 300], [300, 300], {}], // one product, split by rows or columns
      [[300, 400], [300, 300], { transposeA: true, transposeB: true }],
      [[37, 3000], [3000, 310], { transposeB: false }], // ragged edges
      [[8, 128, 256], [256, 160], {}], // a batch sharing one B
      [[2, 3, 128, 320], [3, 320, 150], { transposeA: false }], // broadcast batch dims
    ];
    let seed = 1;
    for (const [sa, sb, opts] of cases) {
      const a = rnd(sa, seed++);
      const b = rnd(sb, seed++);
      const m = opts.transposeA ? sa[sa.length - 1] : sa[sa.length - 2];
      const n = opts.transposeB ? sb[sb.length - 2] : sb[sb.length - 1];
      const k = opts.transposeA ? sa[sa.length - 2] : sa[sa.length - 1];
      const batch = (sa.length > 2 ? sa.slice(0, -2) : [1]).reduce((p, d) => p * d, 1);
      expect(m * n * k * batch, JSON.stringify(sa)).toBeGreaterThanOrEqual(THREAD_MIN_WORK); // so that it goes to the pool
      const product = () => matmul(a, b, opts).dataSync() as Float32Array;
      const one = await withThreads(1, product);
      for (const t of [2, 3]) {
        const many = await withThreads(t, product);
        expect(Array.from(many), `${t} threads, ${JSON.stringify(sa)}·${JSON.stringify(sb)}`).toEqual(
          Array.from(one),
        );
      }
    }
  });

  it('gives the same bits for mid-sized products, whether they find a worker awake or not', async () => {
    // The MNIST MLP's forward product and its weight gradient: under THREAD_MIN_WORK, so each goes
    // to the pool only when a worker is spinning after the last call (else the calling thread runs
    // it and wakes them): back to back, some of these run on one thread and some on two.
    const x = rnd([64, 784], 21);
    const w = rnd([128, 784], 22);
    const dy = rnd([64, 128], 23);
    expect(64 * 784 * 128).toBeGreaterThanOrEqual(AWAKE_MIN_WORK);
    expect(64 * 784 * 128).toBeLessThan(THREAD_MIN_WORK);
    const both = () =>
      Float32Array.from([
        ...matmul(x, w, { transposeB: true }).dataSync(),
        ...matmul(dy, x, { transposeA: true }).dataSync(),
      ]);
    const one = await withThreads(1, both);
    setNumThreads(2);
    for (let i = 0; i < 20; i++) expect(Array.from(both()), `run ${i}`).toEqual(Array.from(one));
  });

  it('gives the same bits for 1, 2 and 3 threads through conv2d and both its gradients', async () => {
    // Each product over the pool's threshold, the column matrix built (im2col) or scattered back
    // (col2im) by the thread that multiplies each block of it: split by images (forward, input
    // gradient) or by input channels (filter gradient), or whole on the calling thread when the
    // product splits the other way (the third case's filter gradient: 18 rows of columns, 64 filters).
    type Shape4 = [number, number, number, number];
    const cases: { x: Shape4; w: Shape4; attrs: typeof SAME_3X3 }[] = [
      { x: [8, 16, 32, 32], w: [32, 16, 3, 3], attrs: SAME_3X3 },
      {
        x: [16, 32, 32, 32],
        w: [64, 16, 4, 4],
        attrs: { stride: [2, 2], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 2 },
      },
      { x: [8, 2, 64, 64], w: [64, 2, 3, 3], attrs: SAME_3X3 },
      { x: [8, 16, 32, 32], w: [32, 16, 3, 3], attrs: { ...SAME_3X3, pad: [2, 2, 2, 2], dilation: [2, 2] } },
    ];
    for (const [i, { x: xShape, w: wShape, attrs }] of cases.entries()) {
      const x = rnd(xShape, 11 + i);
      const w = rnd(wShape, 21 + i);
      const y = conv2dWithAttrs(x, w, attrs);
      const dy = rnd([...y.shape], 31 + i);
      const all = () =>
        Float32Array.from([
          ...conv2dWithAttrs(x, w, attrs).dataSync(),
          ...conv2dBackpropInput(dy, w, { ...attrs, inputShape: xShape }).dataSync(),
          ...conv2dBackpropFilter(x, dy, { ...attrs, filterShape: wShape }).dataSync(),
        ]);
      const one = await withThreads(1, all);
      for (const n of [2, 3]) {
        const other = await withThreads(n, all);
        // Counted, not compared with toEqual: a failure's diff of 10⁵ numbers takes minutes to print.
        const differ = other.filter((v, j) => !Object.is(v, one[j])).length;
        expect(differ, `case ${i}, ${n} threads: elements that differ from 1 thread's`).toBe(0);
      }
    }
  });

  it('adds up a filter gradient over image runs on the pool (products that accumulate)', async () => {
    // 64 channels of 64×64 make a column matrix of 576 × 4096 per image: over the kernel's
    // budget for two, so each image is its own product, added onto the sum of the earlier ones.
    const x = rnd([3, 64, 64, 64], 14);
    const dy = rnd([3, 16, 64, 64], 15);
    const attrs = { ...SAME_3X3, filterShape: [16, 64, 3, 3] as [number, number, number, number] };
    expect(16 * 576 * 4096).toBeGreaterThanOrEqual(THREAD_MIN_WORK); // each image's product goes to the pool
    const grad = () => conv2dBackpropFilter(x, dy, attrs).dataSync() as Float32Array;
    const one = await withThreads(1, grad);
    const two = await withThreads(2, grad);
    expect(Array.from(two)).toEqual(Array.from(one));
  });

  it('never keeps the process alive', async () => {
    // A script that starts the pool and ends: it must exit on its own (the test would time out).
    const script = `
      import { matmul, ones, setNumThreads } from '@axon/tensor';
      setNumThreads(2);
      const a = ones([512, 512]); // over the pool's threshold
      for (let i = 0; i < 5; i++) matmul(a, a).dispose();
      await new Promise((r) => setTimeout(r, 100));
      console.log(matmul(a, a).dataSync()[0]);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script],
      { cwd: root, timeout: 50_000 },
    );
    expect(stdout.trim()).toBe('512');
  });

  it('checks the thread count', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 65]) {
      expect(() => setNumThreads(bad)).toThrow(ValueError);
      expect(() => setNumThreads(bad)).toThrow(/setNumThreads: expected an integer from 1 to 64/);
    }
  });
});
