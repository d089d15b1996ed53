/**
 * The gpu backend as a whole: registration, what backendInfo() says about the mode that really
 * runs, dtypes, and the device-residency guarantees (no read-backs between ops, compiled kernels
 * cached, buffers released by dispose/tidy). Runs in whatever mode gpu.js picks here; CI sets
 * AXON_EXPECT_GPU_MODE per environment so that a silent fallback fails the run.
 */
import {
  add,
  backendInfo,
  DTypeError,
  ENGINE,
  exp,
  getBackend,
  memory,
  mul,
  neg,
  setBackend,
  sqrt,
  square,
  sub,
  type Tensor,
  tanh,
  tensor,
  tidy,
} from '@axon/tensor';
import { seededValues, expectClose as sharedExpectClose } from '@axon/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The default backend is read before the package is imported (dynamically, below).
const defaultBeforeImport = getBackend();
const { GpuBackend, TOLERANCE_SCALE } = await import('@axon/backend-gpu');

const GL_MODES = ['headlessgl', 'webgl2', 'webgl'];
const ALL_MODES = [...GL_MODES, 'webasm', 'cpu'];

/** Runs f with elementwise fusion off (one launch per op), as the eager-launch tests expect. */
function eager(f: () => void): void {
  const b = gpuBackend();
  const was = b.fusion;
  b.fusion = false;
  try {
    f();
  } finally {
    b.fusion = was;
  }
}

function gpuBackend(): InstanceType<typeof GpuBackend> {
  return ENGINE.findBackend('gpu') as InstanceType<typeof GpuBackend>;
}

/** Live buffers and bytes on the gpu backend. */
function gpuMemory(): { numBuffers: number; numBytes: number } {
  return gpuBackend().memory();
}

/** Deterministic values in [-1, 1), rounded to float32 (@axon/testing's seeded generator). */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from(seededValues(n, seed));
}

/** Runs `fn` on the cpu backend (host arrays in, host array out) and returns to 'gpu'. */
function onCpu(fn: () => Tensor): Float32Array {
  setBackend('cpu');
  try {
    return tidy(() => Float32Array.from(fn().dataSync()));
  } finally {
    setBackend('gpu');
  }
}

/** The shared `expectClose` (@axon/testing) with rtol and atol positional. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  sharedExpectClose(actual, expected, { rtol, atol });
}

describe('registration', () => {
  it("registers 'gpu' on import without changing the default backend", () => {
    expect(defaultBeforeImport).toBe('cpu');
    expect(ENGINE.backendNames()).toContain('gpu');
    expect(getBackend()).toBe('cpu');
    // The backend (and its gpu.js context) is only created by setBackend('gpu').
    expect(memory().backends.gpu).toBeUndefined();
  });
});

describe('gpu backend', () => {
  beforeAll(() => setBackend('gpu'));
  afterAll(() => setBackend('cpu'));

  it('reports the mode that runs, consistently', () => {
    const info = backendInfo();
    expect(info.name).toBe('gpu');
    expect(ALL_MODES).toContain(info.mode);
    expect(info.precision).toBe('single');
    expect(typeof info.compiledKernels).toBe('number');
    if (GL_MODES.includes(info.mode as string)) {
      expect(info.maxTextureSize).toBeGreaterThanOrEqual(1024);
      expect(typeof info.renderer).toBe('string');
      expect(info.fallbackReason).toBeNull();
    } else {
      expect(info.maxTextureSize).toBeNull();
      expect(info.renderer).toBeNull();
      expect(typeof info.fallbackReason).toBe('string');
      expect((info.fallbackReason as string).length).toBeGreaterThan(0);
      // Without GL, gpu.js in Node ends up on WebAssembly unless the cpu mode was forced.
      if (process.env.AXON_GPU_MODE !== 'cpu') expect(info.mode).toBe('webasm');
    }
    // gpu.js falls back silently: CI names the mode each environment must really run.
    const expected = process.env.AXON_EXPECT_GPU_MODE;
    if (expected) expect(info.mode).toBe(expected);
    // Every mode has a tolerance entry for the conformance run.
    expect(TOLERANCE_SCALE[info.mode as keyof typeof TOLERANCE_SCALE]).toBeDefined();
  });

  it('can be forced to webasm, and then says why', () => {
    const forced = new GpuBackend('webasm');
    expect(forced.gpuInfo.mode).toBe('webasm');
    expect(forced.gpuInfo.maxTextureSize).toBeNull();
    expect(forced.gpuInfo.fallbackReason).toMatch(/webasm/);
  });

  it('refuses float64 with a DTypeError', () => {
    expect(() => tensor([1, 2, 3], { dtype: 'float64' })).toThrow(DTypeError);
  });

  it('round-trips float32, int32 (exact below 2^24) and bool', async () => {
    const f = values(37, 1);
    expect(tensor(f).dataSync()).toEqual(f);
    const ints = [0, -1, 7, 8388607, -8388608, 16777215, -16777215];
    const i = tensor(ints, { dtype: 'int32' });
    expect(Array.from(i.dataSync())).toEqual(ints);
    expect(i.dataSync()).toBeInstanceOf(Int32Array);
    expect(Array.from(await add(i, tensor([1], { dtype: 'int32' })).data())).toEqual(ints.map((v) => v + 1));
    const b = tensor([true, false, true], { dtype: 'bool' });
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1]);
    expect(
      Array.from(
        tensor([1, 5, -2])
          .gt(tensor([1, 2, 3]))
          .dataSync(),
      ),
    ).toEqual([0, 1, 0]);
    expect(tensor([], { shape: [0, 3] }).dataSync().length).toBe(0);
    expect(add(tensor([], { shape: [0, 3] }), tensor([1, 2, 3])).shape).toEqual([0, 3]);
  });

  it('packs a buffer of more than 70000 elements (broadcast add, 311 × 257)', () => {
    // Smaller uploads first: a copy kernel resized from a small texture to a large one once
    // returned the small texture (gpu.js dynamicOutput in the GL modes).
    tidy(() => {
      for (const n of [3, 37]) tensor(values(n, n)).dataSync();
    });
    const a = values(311 * 257, 2);
    const b = values(257, 3);
    const gpu = tidy(() =>
      Float32Array.from(add(tensor(a, { shape: [311, 257] }), tensor(b, { shape: [257] })).dataSync()),
    );
    const cpu = onCpu(() => add(tensor(a, { shape: [311, 257] }), tensor(b, { shape: [257] })));
    expectClose(gpu, cpu);
  });

  it('keeps data on the device through a chain of 10 ops (one read-back, at dataSync)', () => {
    // One launch per op: fusion off (fused, the chain is one launch: fusion.test.ts).
    eager(() => {
      const xs = values(6 * 7, 4);
      const ys = values(7, 5);
      const chain = (x: Tensor, y: Tensor): Tensor => {
        let z = add(x, y); // 1
        z = mul(z, y); // 2
        z = tanh(z); // 3
        z = sub(z, x); // 4
        z = square(z); // 5
        z = add(z, 1); // 6
        z = sqrt(z); // 7
        z = neg(z); // 8
        z = exp(z); // 9
        return mul(z, x); // 10
      };
      const stats = gpuBackend().stats;
      tidy(() => {
        const x = tensor(xs, { shape: [6, 7] });
        const y = tensor(ys, { shape: [7] });
        const before = { ...stats };
        const z = chain(x, y);
        // `add(z, 1)` uploads its scalar operand; nothing is read back.
        expect(stats.readbacks - before.readbacks).toBe(0);
        expect(stats.launches - before.launches).toBe(10);
        const got = z.dataSync();
        expect(stats.readbacks - before.readbacks).toBe(1);
        expectClose(
          got,
          onCpu(() => chain(tensor(xs, { shape: [6, 7] }), tensor(ys, { shape: [7] }))),
        );
      });
    });
  });

  it('compiles a kernel once per source and output size, and reuses it', () => {
    // Eager kernels: fusion off (a fused chain compiles its own kernel).
    eager(() => {
      const stats = gpuBackend().stats;
      tidy(() => {
        // Shapes no other test uses, so the first run must compile. Uploads are made up front: in
        // the GL modes an upload of a new size compiles its copy kernel too.
        const a = tensor(values(13 * 29, 6), { shape: [13, 29] });
        const b = tensor(values(29, 7), { shape: [29] });
        const a2 = tensor(values(14 * 29, 8), { shape: [14, 29] });
        const c0 = stats.compiles;
        mul(a, b);
        expect(stats.compiles - c0).toBe(1);
        const kernels = backendInfo().compiledKernels as number;
        mul(a, b);
        mul(a, b);
        expect(stats.compiles - c0).toBe(1);
        expect(backendInfo().compiledKernels).toBe(kernels);
        // Another upload of a size seen before compiles nothing either.
        tensor(values(13 * 29, 9), { shape: [13, 29] });
        expect(stats.compiles - c0).toBe(1);
        // Another shape is another kernel.
        mul(a2, b);
        expect(stats.compiles - c0).toBe(2);
      });
    });
  });

  it('releases buffers on dispose and at the end of tidy', () => {
    const start = gpuMemory();
    const startTensors = memory().numTensors;
    tidy(() => {
      const x = tensor(values(1000, 9), { shape: [10, 100] });
      let y = x;
      for (let i = 0; i < 5; i++) y = tanh(add(mul(y, x), 0.5));
      expect(gpuMemory().numBuffers).toBeGreaterThan(start.numBuffers + 10);
      y.dataSync();
    });
    expect(gpuMemory()).toEqual(start);
    expect(memory().numTensors).toBe(startTensors);

    // A view shares its source's buffer: the buffer goes with the last handle.
    const x = tensor(values(12, 10), { shape: [3, 4] });
    const v = x.reshape([4, 3]);
    expect(gpuMemory().numBuffers).toBe(start.numBuffers + 1);
    expect(gpuMemory().numBytes).toBe(start.numBytes + 48);
    x.dispose();
    expect(gpuMemory().numBuffers).toBe(start.numBuffers + 1);
    expect(Array.from(v.dataSync())).toEqual(Array.from(values(12, 10)));
    v.dispose();
    expect(gpuMemory()).toEqual(start);
    expect(memory().backends.gpu).toMatchObject({ numBuffers: start.numBuffers, numBytes: start.numBytes });
  });

  it('moves a tensor made on the cpu backend to the device when a gpu op uses it', () => {
    setBackend('cpu');
    const onHost = tensor(values(5, 11));
    setBackend('gpu');
    const z = tidy(() => Float32Array.from(add(onHost, onHost).dataSync()));
    expectClose(
      z,
      Array.from(values(5, 11), (v) => v + v),
    );
    onHost.dispose();
  });
});
