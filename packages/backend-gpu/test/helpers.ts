/**
 * Shared by the gpu backend's kernel tests (not a test file itself): running the same computation
 * on one backend and reading its results back.
 *
 * The comparisons built on `runOn` in each test file are async and begin with `turnEventLoop()`
 * (@axon/testing): gpu.js compiles each new kernel synchronously (much slower in the GL modes),
 * and a test comparing dozens of kernels in one synchronous stretch would keep the worker from
 * answering vitest's messages (which time out after 60 s on a loaded machine).
 */
import { type DType, reshape, setBackend, type Tensor, type TypedArray, tensor, tidy } from '@axon/tensor';

/** One output read back: its shape, dtype and a copy of its values. */
export interface Result {
  shape: number[];
  dtype: DType;
  values: TypedArray;
}

/**
 * Runs `build` (which creates its tensors from host data) on `backend` inside `tidy`, reads every
 * output back, and returns to the 'gpu' backend (the tests' default) even if `build` throws.
 */
export function runOn(backend: string, build: () => Tensor | Tensor[]): Result[] {
  setBackend(backend);
  try {
    return tidy(() => {
      const out = build();
      return (Array.isArray(out) ? out : [out]).map((t) => ({
        shape: [...t.shape],
        dtype: t.dtype,
        values: t.dataSync().slice(),
      }));
    });
  } finally {
    setBackend('gpu');
  }
}

/** A tensor of `shape` with values in [-1, 1) from a seeded LCG: host data neither backend's RNG made. */
export function data(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const v = Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
  return reshape(tensor(v), shape);
}
