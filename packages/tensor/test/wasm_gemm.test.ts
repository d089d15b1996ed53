import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dWithAttrs,
  getCpuKernels,
  matmul,
  setCpuKernels,
  type Tensor,
  tensor,
  ValueError,
} from '@axon/tensor';
import { fixedValues } from '@axon/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { gemm } from '../src/backends/cpu/gemm';
import { wasmGemm, wasmWorkspaceBytes } from '../src/backends/cpu/kernels/gemm_wasm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function rand(shape: number[], seed: number): Tensor {
  return tensor(
    fixedValues(
      shape.reduce((p, d) => p * d, 1),
      seed,
    ),
    { shape },
  );
}

/** matmul(a, b, flags) on the given kernels, as a flat array with its shape. */
function run(kernels: 'js' | 'wasm', a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) {
  setCpuKernels(kernels);
  const y = matmul(a, b, { transposeA, transposeB });
  const out = { shape: y.shape, data: Float64Array.from(y.dataSync()) };
  y.dispose();
  return out;
}

/**
 * The two paths agree to float32 rounding: the JS gemm sums in float64, the wasm one in float32,
 * so each element may differ by a few ulps of its terms' magnitude (all |values| < 1 here).
 */
function expectAgree(a: Tensor, b: Tensor, tA: boolean, tB: boolean, k: number) {
  const js = run('js', a, b, tA, tB);
  const wasm = run('wasm', a, b, tA, tB);
  expect(wasm.shape).toEqual(js.shape);
  const tol = 4 * 2 ** -24 * Math.max(1, k);
  let worst = 0;
  for (let i = 0; i < js.data.length; i++) worst = Math.max(worst, Math.abs(js.data[i] - wasm.data[i]));
  expect(worst).toBeLessThanOrEqual(tol);
  expect(wasm.data.every(Number.isFinite)).toBe(true);
}

afterEach(() => setCpuKernels('auto'));

describe('WebAssembly SIMD gemm', () => {
  it('is available in Node (WebAssembly SIMD) and selected by default', () => {
    expect(getCpuKernels()).toEqual({ mode: 'auto', wasm: true });
    setCpuKernels('js');
    expect(getCpuKernels()).toEqual({ mode: 'js', wasm: false });
  });

  it('agrees with the JS gemm for every transpose flag, odd and empty sizes', () => {
    const sizes = [0, 1, 3, 4, 8, 17, 33, 65];
    let seed = 1;
    for (const m of sizes) {
      for (const n of sizes) {
        for (const k of [0, 1, 5, 17, 65]) {
          for (const tA of [false, true]) {
            for (const tB of [false, true]) {
              const a = rand(tA ? [k, m] : [m, k], seed++);
              const b = rand(tB ? [n, k] : [k, n], seed++);
              expectAgree(a, b, tA, tB, k);
              a.dispose();
              b.dispose();
            }
          }
        }
      }
    }
  });

  it('agrees across k blocks, row and column blocks (k > 256, n > 2048, m > 128)', () => {
    for (const [m, n, k] of [
      [130, 9, 300],
      [5, 2050, 3],
      [129, 33, 513],
    ]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const a = rand(tA ? [k, m] : [m, k], m + n);
          const b = rand(tB ? [n, k] : [k, n], k + 7);
          expectAgree(a, b, tA, tB, k);
          a.dispose();
          b.dispose();
        }
      }
    }
  });

  it('agrees on batched products with broadcast batch dims', () => {
    const cases: [number[], number[]][] = [
      [
        [2, 3, 17, 33],
        [2, 3, 33, 9],
      ],
      [
        [4, 1, 5, 65],
        [3, 65, 17],
      ],
      [
        [1, 7, 3],
        [5, 2, 3, 8],
      ],
      [
        [0, 3, 4],
        [1, 4, 5],
      ],
      [
        [2, 3, 0],
        [2, 0, 6],
      ],
    ];
    let seed = 100;
    for (const [aShape, bShape] of cases) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const as = [...aShape];
          const bs = [...bShape];
          if (tA) [as[as.length - 2], as[as.length - 1]] = [as[as.length - 1], as[as.length - 2]];
          if (tB) [bs[bs.length - 2], bs[bs.length - 1]] = [bs[bs.length - 1], bs[bs.length - 2]];
          const a = rand(as, seed++);
          const b = rand(bs, seed++);
          expectAgree(a, b, tA, tB, aShape[aShape.length - 1]);
          a.dispose();
          b.dispose();
        }
      }
    }
  });

  it('wasmGemm is a drop-in for the JS gemm on slices, accumulating or not', () => {
    setCpuKernels('wasm');
    for (const [m, n, k] of [
      [3, 5, 7],
      [17, 9, 300],
      [8, 8, 0],
    ]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          for (const accumulate of [false, true]) {
            const a = fixedValues(m * k + 3, m);
            const b = fixedValues(k * n + 5, n);
            const c0 = fixedValues(m * n + 11, k + 1);
            const js = c0.slice();
            const wasm = c0.slice();
            gemm(a, 3, b, 5, js, 11, m, n, k, tA, tB, accumulate);
            expect(wasmGemm(a, 3, b, 5, wasm, 11, m, n, k, tA, tB, accumulate)).toBe(true);
            expect(Array.from(wasm.subarray(0, 11))).toEqual(Array.from(c0.subarray(0, 11)));
            for (let i = 0; i < js.length; i++) expect(Math.abs(wasm[i] - js[i])).toBeLessThan(1e-4);
          }
        }
      }
    }
    setCpuKernels('js');
    expect(
      wasmGemm(new Float32Array(4), 0, new Float32Array(4), 0, new Float32Array(4), 0, 2, 2, 1, false, false),
    ).toBe(false);
  });

  it('is exact on small integers, as the JS gemm is', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const b = tensor([7, 8, 9, 10, 11, 12], { shape: [3, 2] });
    setCpuKernels('wasm');
    expect(matmul(a, b).arraySync()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it('leaves float64 and int32 products to the JS gemm', () => {
    setCpuKernels('wasm');
    const a = tensor([0.1, 0.2, 0.3, 0.4], { shape: [2, 2], dtype: 'float64' });
    const y = matmul(a, a).dataSync();
    expect(y[0]).toBe(0.1 * 0.1 + 0.2 * 0.3);
    const i = tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' });
    expect(Array.from(matmul(i, i).dataSync())).toEqual([7, 10, 15, 22]);
  });

  it('runs a product larger than the memory it keeps on a one-off instance', () => {
    setCpuKernels('wasm');
    const small = matmul(rand([8, 8], 1), rand([8, 8], 2));
    small.dispose();
    const kept = wasmWorkspaceBytes();
    // 4200 × 4200 floats (70 MB) is over the 64 MiB kept between calls; the product is cheap.
    const m = 4200;
    const a = rand([m, m], 3);
    const x = rand([m, 2], 4);
    const y = matmul(a, x).dataSync();
    const av = a.dataSync();
    const xv = x.dataSync();
    for (const i of [0, 1234, m - 1]) {
      let s = 0;
      for (let p = 0; p < m; p++) s += av[i * m + p] * xv[p * 2 + 1];
      expect(Math.abs(y[i * 2 + 1] - s)).toBeLessThan(1e-3);
    }
    expect(wasmWorkspaceBytes()).toBe(kept);
    expect(wasmWorkspaceBytes()).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  it('setCpuKernels validates its argument', () => {
    expect(() => setCpuKernels('fast' as never)).toThrow(ValueError);
    expect(() => setCpuKernels('fast' as never)).toThrow(/setCpuKernels: expected 'auto', 'js' or 'wasm'/);
  });

  /** Runs test/fixtures/kernel_mode_probe.ts in a fresh process and parses what it prints. */
  async function probe(env: Record<string, string>, ...args: string[]) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', 'test/fixtures/kernel_mode_probe.ts', ...args],
      { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } },
    );
    return JSON.parse(stdout);
  }

  it('AXON_WASM=0 selects the JS gemm', async () => {
    const off = await probe({ AXON_WASM: '0' });
    expect(off.kernels).toEqual({ mode: 'js', wasm: false });
    expect(off.square64).toBe(false);
    const on = await probe({ AXON_WASM: '1' });
    expect(on.kernels.mode).toBe('auto');
    expect(on.square64).toBe(true);
    expect(on.vector).toBe(false); // vectors stay on the JS gemm
    expect(on.tiny).toBe(false); // too small to pay for the copies
    expect(on.tinyBatched).toBe(true); // ... unless batched
  }, 60_000);

  it('without WebAssembly SIMD, everything runs on the JS gemm', async () => {
    const r = await probe({ AXON_WASM: '' }, '--no-simd');
    expect(r.kernels).toEqual({ mode: 'auto', wasm: false, reason: 'this engine has no WebAssembly SIMD' });
    expect(r.square256).toBe(false);
    expect(r.batchRan).toBe(false);
    expect(r.setWasmError).toMatch(/WebAssembly kernels unavailable/);
    expect(r.ready).toBe(false);
  }, 60_000);

  it('the embedded module matches a fresh build of wasm/kernels.ts', async () => {
    // Compiles the AssemblyScript source and compares with the committed gemm_wasm_bytes.ts
    // (asynchronously, so the test worker stays responsive while the compiler runs).
    const { stdout: out } = await promisify(execFile)(
      process.execPath,
      ['scripts/build-wasm.mjs', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(/matches wasm\/kernels\.ts/);
  }, 180_000); // a compiler run: a few seconds idle, room for a loaded machine
});

describe('conv2d and its two backward kernels on the wasm gemm', () => {
  // [x shape, w shape, options]: plain, strided with padding, grouped, pointwise (1×1).
  const cases: [number[], number[], { stride?: number; padding?: number; groups?: number }][] = [
    [[2, 3, 9, 8], [5, 3, 3, 3], {}],
    [[2, 4, 11, 10], [6, 2, 3, 3], { stride: 2, padding: 1, groups: 2 }],
    [[3, 8, 5, 5], [7, 8, 1, 1], {}],
  ];
  for (const [xs, ws, opts] of cases) {
    it(`x ${JSON.stringify(xs)}, w ${JSON.stringify(ws)}, ${JSON.stringify(opts)}: wasm agrees with js`, () => {
      const x = rand(xs, 11);
      const w = rand(ws, 12);
      const k = ws[1] * ws[2] * ws[3];
      const on = (kernels: 'js' | 'wasm') => {
        setCpuKernels(kernels);
        const y = conv2dWithAttrs(x, w, {
          stride: [opts.stride ?? 1, opts.stride ?? 1],
          pad: [opts.padding ?? 0, opts.padding ?? 0, opts.padding ?? 0, opts.padding ?? 0],
          dilation: [1, 1],
          groups: opts.groups ?? 1,
        });
        const attrs = {
          stride: [opts.stride ?? 1, opts.stride ?? 1] as [number, number],
          pad: [opts.padding ?? 0, opts.padding ?? 0, opts.padding ?? 0, opts.padding ?? 0] as [
            number,
            number,
            number,
            number,
          ],
          dilation: [1, 1] as [number, number],
          groups: opts.groups ?? 1,
        };
        const dx = conv2dBackpropInput(y, w, {
          ...attrs,
          inputShape: xs as [number, number, number, number],
        });
        const dw = conv2dBackpropFilter(x, y, {
          ...attrs,
          filterShape: ws as [number, number, number, number],
        });
        const out = [y, dx, dw].map((t) => Float64Array.from(t.dataSync()));
        for (const t of [y, dx, dw]) t.dispose();
        return out;
      };
      const js = on('js');
      const wasm = on('wasm');
      js.forEach((ref, i) => {
        let worst = 0;
        let scale = 1;
        for (let j = 0; j < ref.length; j++) {
          worst = Math.max(worst, Math.abs(ref[j] - wasm[i][j]));
          scale = Math.max(scale, Math.abs(ref[j]));
        }
        // A product of sums: allow float32 rounding of each term, relative to the output's size.
        expect(worst).toBeLessThanOrEqual(16 * 2 ** -24 * k * scale);
      });
    });
  }
});
