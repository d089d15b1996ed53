/**
 * The page side of the browser harness (bundled by run.mjs with esbuild for the browser, so gpu.js
 * is its browser build and picks WebGL2). It exposes `window.axonHarness`; run.mjs calls its
 * methods one at a time with page.evaluate and prints what they return.
 */
import { valueAndGrad } from '@axon/autograd';
import { type GpuBackend, type GpuMode, TOLERANCE_SCALE } from '@axon/backend-gpu';
import type { Tensor } from '@axon/tensor';
import * as ax from '@axon/tensor';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { type CaseResult, type FixtureFile, parseFixtureText, runFixtures } from '@axon/conformance/browser';
import { fixedValues, median, relativeDiff } from '@axon/testing/data';

// ---- environment ----

export interface PageInfo {
  userAgent: string;
  /** backendInfo() under setBackend('gpu'): mode, renderer, maxTextureSize, fallbackReason, ... */
  gpu: Record<string, unknown>;
  mode: GpuMode;
  toleranceScale: { rtol: number; atol: number };
}

function useGpu(): Record<string, unknown> {
  ax.setBackend('gpu');
  return ax.backendInfo();
}

/** The gpu backend's counters: kernel launches, compiles, uploads and read-backs so far. */
function gpuStats(): GpuBackend['stats'] {
  return { ...(ax.ENGINE.findBackend('gpu') as GpuBackend).stats };
}

function info(): PageInfo {
  const gpu = useGpu();
  const mode = gpu.mode as GpuMode;
  return { userAgent: navigator.userAgent, gpu, mode, toleranceScale: TOLERANCE_SCALE[mode] };
}

// ---- conformance ----

export interface FileResult {
  file: string;
  group: string;
  results: CaseResult[];
  ms: number;
  /** Live tensors after the file's cases minus before (0 when every case freed what it made). */
  leakedTensors: number;
}

const fixtureCache = new Map<string, FixtureFile>();

async function loadFixture(file: string): Promise<FixtureFile> {
  let f = fixtureCache.get(file);
  if (!f) {
    const res = await fetch(`fixtures/${file}`);
    if (!res.ok) throw new Error(`fetch fixtures/${file}: HTTP ${res.status}`);
    f = parseFixtureText(await res.text());
    fixtureCache.set(file, f);
  }
  return f;
}

async function fixtureFiles(): Promise<string[]> {
  const res = await fetch('fixtures/index.json');
  if (!res.ok) throw new Error(`fetch fixtures/index.json: HTTP ${res.status}`);
  return (await res.json()) as string[];
}

/** Runs the cases of one fixture file on the gpu backend, with the mode's tolerance scale. */
async function conformance(file: string, filter?: string): Promise<FileResult> {
  const fixture = await loadFixture(file);
  const mode = useGpu().mode as GpuMode;
  const before = ax.memory().numTensors;
  const t0 = performance.now();
  const summary = runFixtures([fixture], { filter, toleranceScale: TOLERANCE_SCALE[mode] });
  return {
    file,
    group: fixture.group,
    results: summary.results,
    ms: performance.now() - t0,
    leakedTensors: ax.memory().numTensors - before,
  };
}

// ---- deterministic data ----

// ---- training parity ----

export interface TrainResult {
  backend: string;
  /** The loss at step 1 and every 50 steps, and at the last step. */
  curve: { step: number; loss: number }[];
  finalLoss: number;
  accuracy: number;
  ms: number;
  leakedTensors: number;
  /** For the gpu run: its kernel launches and compiles (proof that it ran on the device). */
  launches?: number;
  compiles?: number;
}

const CLASSES = 3;
const PER_CLASS = 64;
const HIDDEN = 32;

/** Three interleaved spirals in 2-D, 64 points each; labels 0..2 (int32). */
function spiralData(): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(CLASSES * PER_CLASS * 2);
  const y = new Int32Array(CLASSES * PER_CLASS);
  const noise = fixedValues(x.length, 7);
  for (let c = 0; c < CLASSES; c++) {
    for (let i = 0; i < PER_CLASS; i++) {
      const k = c * PER_CLASS + i;
      const r = (i / PER_CLASS) * 0.9 + 0.1;
      const t = (i / PER_CLASS) * 2 * Math.PI + (c * 2 * Math.PI) / CLASSES;
      x[2 * k] = r * Math.cos(t) + 0.02 * noise[2 * k];
      x[2 * k + 1] = r * Math.sin(t) + 0.02 * noise[2 * k + 1];
      y[k] = c;
    }
  }
  return { x, y };
}

/** The MLP's initial parameters as host arrays: PyTorch-style uniform(±1/√fanIn), from `seed`. */
function initialParams(seed: number): { data: Float32Array; shape: number[] }[] {
  const shapes: [number[], number][] = [
    [[2, HIDDEN], 2],
    [[HIDDEN], 2],
    [[HIDDEN, HIDDEN], HIDDEN],
    [[HIDDEN], HIDDEN],
    [[HIDDEN, CLASSES], HIDDEN],
    [[CLASSES], HIDDEN],
  ];
  // Drawn once with Axon's own generator on the cpu backend, then copied to each backend as is.
  ax.setBackend('cpu');
  ax.manualSeed(seed);
  return shapes.map(([shape, fanIn]) => {
    const bound = 1 / Math.sqrt(fanIn);
    const t = ax.uniform(shape, -bound, bound);
    const data = Float32Array.from(t.dataSync());
    t.dispose();
    return { data, shape };
  });
}

/**
 * Trains a 2 → 32 → 32 → 3 tanh MLP on the spirals with softmax cross-entropy and SGD with
 * momentum, full batch, on `backend`; returns the loss curve.
 */
function train(backend: 'cpu' | 'gpu', steps: number, seed: number): TrainResult {
  const init = initialParams(seed);
  ax.setBackend(backend);
  const before = ax.memory().numTensors;
  const stats0 = gpuStats();
  const t0 = performance.now();
  const data = spiralData();
  const x = ax.tensor(data.x, { shape: [CLASSES * PER_CLASS, 2] });
  const y = ax.tensor(data.y, { shape: [CLASSES * PER_CLASS], dtype: 'int32' });
  let params = init.map((p) => ax.tensor(p.data, { shape: p.shape }));
  let velocity = params.map((p) => ax.zerosLike(p));
  const forward = (p: Tensor[]): Tensor => {
    const h1 = ax.tanh(ax.add(ax.matmul(x, p[0]), p[1]));
    const h2 = ax.tanh(ax.add(ax.matmul(h1, p[2]), p[3]));
    return ax.add(ax.matmul(h2, p[4]), p[5]);
  };
  const step = valueAndGrad((...p: Tensor[]) => ax.crossEntropy(forward(p), y));
  const lr = 0.2;
  const curve: { step: number; loss: number }[] = [];
  let finalLoss = Number.NaN;
  for (let s = 1; s <= steps; s++) {
    const { value, grads } = step(...params);
    const next = ax.tidy(() => {
      const v = velocity.map((v0, i) => ax.add(ax.mul(v0, 0.9), grads[i]));
      return { v, p: params.map((p, i) => ax.sub(p, ax.mul(v[i], lr))) };
    });
    ax.dispose([params, velocity, grads]);
    params = next.p;
    velocity = next.v;
    if (s === 1 || s % 50 === 0 || s === steps) {
      finalLoss = value.dataSync()[0];
      curve.push({ step: s, loss: finalLoss });
    }
    value.dispose();
  }
  const accuracy = ax.tidy(
    () => ax.mean(ax.cast(ax.eq(ax.argmax(forward(params), 1), y), 'float32')).dataSync()[0],
  );
  const ms = performance.now() - t0;
  ax.dispose([params, velocity, x, y]);
  const stats = gpuStats();
  return {
    backend,
    curve,
    finalLoss,
    accuracy,
    ms,
    leakedTensors: ax.memory().numTensors - before,
    launches: stats.launches - stats0.launches,
    compiles: stats.compiles - stats0.compiles,
  };
}

export interface ParityResult {
  steps: number;
  cpu: TrainResult;
  gpu?: TrainResult;
  /** |gpu − cpu| / |cpu| of the final losses. */
  relDiff?: number;
  ok: boolean;
  error?: string;
}

function trainingParity(steps = 300, seed = 0): ParityResult {
  const cpu = train('cpu', steps, seed);
  try {
    const gpu = train('gpu', steps, seed);
    const relDiff = Math.abs(gpu.finalLoss - cpu.finalLoss) / Math.abs(cpu.finalLoss);
    return { steps, cpu, gpu, relDiff, ok: relDiff <= 0.01 && gpu.leakedTensors === 0 };
  } catch (e) {
    return { steps, cpu, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  } finally {
    ax.setBackend('gpu');
  }
}

// ---- benchmark ----

type Contender = 'axon-gpu' | 'axon-cpu' | 'tfjs-webgl';
const CONTENDERS: Contender[] = ['axon-gpu', 'axon-cpu', 'tfjs-webgl'];

/** One contender in a case, holding its inputs. `run` includes reading the result back. */
interface Runner {
  activate(): void;
  /** One timed repetition; returns the values it read back (to check agreement). */
  run(): Float32Array;
  /** Puts `run`'s values in Axon's layout (untimed); identity when absent. */
  toReference?(values: Float32Array): Float32Array;
  dispose(): void;
}

interface BenchCase {
  name: string;
  flops: number;
  reps: number;
  warmup: number;
  build(who: Contender): Runner;
}

export interface BenchRow {
  name: string;
  flops: number;
  reps: number;
  /** Median milliseconds per contender (absent when it could not run; see `errors`). */
  ms: Partial<Record<Contender, number>>;
  /** max |x − axon-cpu| / max |axon-cpu| of each contender's last result. */
  diff: Partial<Record<Contender, number>>;
  /** The first value of each contender's last result (the loss, for the MLP step). */
  first: Partial<Record<Contender, number>>;
  errors: Partial<Record<Contender, string>>;
}

function axonBackend(who: Contender): 'gpu' | 'cpu' {
  return who === 'axon-gpu' ? 'gpu' : 'cpu';
}

function matmulCase(n: number, reps: number, warmup: number): BenchCase {
  const aData = fixedValues(n * n, 1);
  const bData = fixedValues(n * n, 2);
  return {
    name: `matmul ${n}×${n}`,
    flops: 2 * n * n * n,
    reps,
    warmup,
    build(who) {
      if (who === 'tfjs-webgl') {
        const a = tf.tensor2d(aData, [n, n]);
        const b = tf.tensor2d(bData, [n, n]);
        return {
          activate: () => {},
          run: () => {
            const y = tf.matMul(a, b);
            const v = y.dataSync() as Float32Array;
            y.dispose();
            return v;
          },
          dispose: () => tf.dispose([a, b]),
        };
      }
      const backend = axonBackend(who);
      ax.setBackend(backend);
      const a = ax.tensor(aData, { shape: [n, n] });
      const b = ax.tensor(bData, { shape: [n, n] });
      return {
        activate: () => ax.setBackend(backend),
        run: () => {
          const y = ax.matmul(a, b);
          const v = y.dataSync() as Float32Array;
          y.dispose();
          return v;
        },
        dispose: () => ax.dispose([a, b]),
      };
    },
  };
}

/** conv2d forward, NCHW [32, 1, 28, 28] with a [32, 1, 3, 3] filter, stride 1, padding 1. */
function conv2dCase(reps: number, warmup: number): BenchCase {
  const N = 32;
  const C = 1;
  const O = 32;
  const H = 28;
  const W = 28;
  const K = 3;
  const xData = fixedValues(N * C * H * W, 3);
  const wData = fixedValues(O * C * K * K, 4);
  return {
    name: `conv2d ${N}×${C}×${H}×${W} → ${O}ch 3×3 fwd`,
    flops: 2 * N * O * H * W * C * K * K,
    reps,
    warmup,
    build(who) {
      if (who === 'tfjs-webgl') {
        // tfjs computes NHWC with filter [kh, kw, in, out]; its output goes back to NCHW untimed.
        const [x, w] = tf.tidy(() => [
          tf.transpose(tf.tensor4d(xData, [N, C, H, W]), [0, 2, 3, 1]),
          tf.transpose(tf.tensor4d(wData, [O, C, K, K]), [2, 3, 1, 0]),
        ]);
        return {
          activate: () => {},
          run: () => {
            const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
            const v = y.dataSync() as Float32Array;
            y.dispose();
            return v;
          },
          toReference: (v) => nhwcToNchw(v, N, H, W, O),
          dispose: () => tf.dispose([x, w]),
        };
      }
      const backend = axonBackend(who);
      ax.setBackend(backend);
      const x = ax.tensor(xData, { shape: [N, C, H, W] });
      const w = ax.tensor(wData, { shape: [O, C, K, K] });
      return {
        activate: () => ax.setBackend(backend),
        run: () => {
          const y = ax.conv2d(x, w, null, { padding: 1 });
          const v = y.dataSync() as Float32Array;
          y.dispose();
          return v;
        },
        dispose: () => ax.dispose([x, w]),
      };
    },
  };
}

/**
 * conv2d forward and backward on the conv2d case's shapes: loss = Σ conv2d(x, w) · g for a fixed
 * g, and its gradients for x and w, both read back (the filter gradient is compared).
 */
function conv2dGradCase(reps: number, warmup: number): BenchCase {
  const [N, C, O, H, W, K] = [32, 1, 32, 28, 28, 3];
  const xData = fixedValues(N * C * H * W, 3);
  const wData = fixedValues(O * C * K * K, 4);
  const gData = fixedValues(N * O * H * W, 5);
  return {
    name: `conv2d ${N}×${C}×${H}×${W} → ${O}ch 3×3 fwd+bwd`,
    flops: 3 * 2 * N * O * H * W * C * K * K,
    reps,
    warmup,
    build(who) {
      if (who === 'tfjs-webgl') {
        const [x, w, g] = tf.tidy(() => [
          tf.transpose(tf.tensor4d(xData, [N, C, H, W]), [0, 2, 3, 1]),
          tf.transpose(tf.tensor4d(wData, [O, C, K, K]), [2, 3, 1, 0]),
          tf.transpose(tf.tensor4d(gData, [N, O, H, W]), [0, 2, 3, 1]),
        ]);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), g)),
        );
        return {
          activate: () => {},
          run: () => {
            const [dx, dw] = grads([x, w]);
            dx.dataSync();
            const v = dw.dataSync() as Float32Array;
            tf.dispose([dx, dw]);
            return v;
          },
          // [kh, kw, in, out] → [out, in, kh, kw]
          toReference: (v) => {
            const out = new Float32Array(v.length);
            for (let kh = 0; kh < K; kh++)
              for (let kw = 0; kw < K; kw++)
                for (let c = 0; c < C; c++)
                  for (let o = 0; o < O; o++)
                    out[((o * C + c) * K + kh) * K + kw] = v[((kh * K + kw) * C + c) * O + o];
            return out;
          },
          dispose: () => tf.dispose([x, w, g]),
        };
      }
      const backend = axonBackend(who);
      ax.setBackend(backend);
      const x = ax.tensor(xData, { shape: [N, C, H, W] });
      const w = ax.tensor(wData, { shape: [O, C, K, K] });
      const g = ax.tensor(gData, { shape: [N, O, H, W] });
      const vg = valueAndGrad((a: Tensor, b: Tensor) =>
        ax.sum(ax.mul(ax.conv2d(a, b, null, { padding: 1 }), g)),
      );
      return {
        activate: () => ax.setBackend(backend),
        run: () => {
          const { value, grads } = vg(x, w);
          grads[0].dataSync();
          const v = grads[1].dataSync() as Float32Array;
          ax.dispose([value, grads]);
          return v;
        },
        dispose: () => ax.dispose([x, w, g]),
      };
    },
  };
}

/**
 * One SGD step of a small CNN on a batch of 32 MNIST-sized images: conv 3×3 (1 → 8 channels,
 * padding 1), relu, 2×2 max pool, a dense layer 8·14·14 → 10, softmax cross-entropy, backward,
 * update, loss read back. tfjs runs NHWC, with the dense layer's rows reordered to match, so all
 * three contenders compute the same losses.
 */
function cnnStepCase(reps: number, warmup: number): BenchCase {
  const [B, C, H, W, F, K, L] = [32, 1, 28, 28, 8, 3, 10];
  const P = (H / 2) * (W / 2);
  const lr = 0.01;
  const xData = fixedValues(B * C * H * W, 21);
  const labels = Int32Array.from({ length: B }, (_, i) => (i * 3) % L);
  const convW = fixedValues(F * C * K * K, 22).map((v) => v / 3);
  const denseW = fixedValues(F * P * L, 23).map((v) => v / Math.sqrt(F * P));
  return {
    name: `CNN step ${B}×${C}×${H}×${W}, conv ${F}ch → pool → ${L}`,
    flops: 3 * 2 * B * (F * H * W * C * K * K + F * P * L),
    reps,
    warmup,
    build(who) {
      if (who === 'tfjs-webgl') {
        // NHWC flattening visits (h, w, c); Axon's NCHW visits (c, h, w).
        const dense = new Float32Array(denseW.length);
        for (let c = 0; c < F; c++)
          for (let p = 0; p < P; p++)
            for (let l = 0; l < L; l++) dense[(p * F + c) * L + l] = denseW[(c * P + p) * L + l];
        const x = tf.tidy(() => tf.transpose(tf.tensor4d(xData, [B, C, H, W]), [0, 2, 3, 1]));
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), L));
        const params = [
          tf.tidy(() => tf.transpose(tf.tensor4d(convW, [F, C, K, K]), [2, 3, 1, 0])),
          tf.zeros([F]),
          tf.tensor2d(dense, [F * P, L]),
          tf.zeros([L]),
        ];
        const loss = (cw: tf.Tensor, cb: tf.Tensor, dw: tf.Tensor, db: tf.Tensor): tf.Scalar => {
          const h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, cw as tf.Tensor4D, 1, 'same'), cb));
          const pooled = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
          const logits = tf.add(
            tf.matMul(tf.reshape(pooled, [B, F * P]) as tf.Tensor2D, dw as tf.Tensor2D),
            db,
          );
          return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        };
        return tfjsSgdRunner(loss, params, lr, [x, y]);
      }
      const backend = axonBackend(who);
      ax.setBackend(backend);
      const x = ax.tensor(xData, { shape: [B, C, H, W] });
      const y = ax.tensor(labels, { shape: [B], dtype: 'int32' });
      const params = [
        ax.tensor(convW, { shape: [F, C, K, K] }),
        ax.zeros([F]),
        ax.tensor(denseW, { shape: [F * P, L] }),
        ax.zeros([L]),
      ];
      const vg = valueAndGrad((cw: Tensor, cb: Tensor, dw: Tensor, db: Tensor) => {
        const h = ax.relu(ax.conv2d(x, cw, cb, { padding: 1 }));
        const pooled = ax.maxPool2d(h, { kernelSize: [2, 2] });
        return ax.crossEntropy(ax.add(ax.matmul(ax.reshape(pooled, [B, F * P]), dw), db), y);
      });
      return axonSgdRunner(backend, vg, params, lr, [x, y]);
    },
  };
}

/** Reorders an NHWC result to NCHW. */
function nhwcToNchw(v: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = v[((b * h + y) * w + x) * c + k];
  return out;
}

/**
 * One SGD training step of a 784 → 128 (relu) → 10 MLP on a batch of 64: forward, softmax
 * cross-entropy, backward, parameter update, and the loss read back. Each contender trains its
 * own copy from the same initial parameters; the last loss is compared.
 */
function mlpStepCase(reps: number, warmup: number): BenchCase {
  const B = 64;
  const D = 784;
  const Hd = 128;
  const K = 10;
  const lr = 0.01;
  const xData = fixedValues(B * D, 11);
  const labels = Int32Array.from({ length: B }, (_, i) => (i * 7) % K);
  const init = [
    { data: fixedValues(D * Hd, 12).map((v) => v / Math.sqrt(D)), shape: [D, Hd] },
    { data: new Float32Array(Hd), shape: [Hd] },
    { data: fixedValues(Hd * K, 13).map((v) => v / Math.sqrt(Hd)), shape: [Hd, K] },
    { data: new Float32Array(K), shape: [K] },
  ];
  return {
    name: `MLP step ${B}×${D}→${Hd}→${K}`,
    // forward 2·B·(D·H + H·K); backward about twice that
    flops: 3 * 2 * B * (D * Hd + Hd * K),
    reps,
    warmup,
    build(who) {
      if (who === 'tfjs-webgl') {
        const x = tf.tensor2d(xData, [B, D]);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), K));
        const params = init.map((p) => tf.tensor(p.data, p.shape));
        const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Scalar => {
          const h = tf.relu(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
          const logits = tf.add(tf.matMul(h as tf.Tensor2D, w2 as tf.Tensor2D), b2);
          return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
        };
        return tfjsSgdRunner(loss, params, lr, [x, y]);
      }
      const backend = axonBackend(who);
      ax.setBackend(backend);
      const x = ax.tensor(xData, { shape: [B, D] });
      const y = ax.tensor(labels, { shape: [B], dtype: 'int32' });
      const params = init.map((p) => ax.tensor(p.data, { shape: p.shape }));
      const vg = valueAndGrad((w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) => {
        const h = ax.relu(ax.add(ax.matmul(x, w1), b1));
        return ax.crossEntropy(ax.add(ax.matmul(h, w2), b2), y);
      });
      return axonSgdRunner(backend, vg, params, lr, [x, y]);
    },
  };
}

/**
 * A training contender for tfjs: each run takes the loss's value and gradients for `params`,
 * steps SGD (p ← p − lr·g) and reads the loss back. `owned` are freed with the parameters.
 */
function tfjsSgdRunner(
  loss: (...a: tf.Tensor[]) => tf.Scalar,
  initial: tf.Tensor[],
  lr: number,
  owned: tf.Tensor[],
): Runner {
  const vg = tf.valueAndGrads(loss);
  let params = initial;
  return {
    activate: () => {},
    run: () => {
      const { value, grads } = vg(params);
      const next = tf.tidy(() => params.map((p, i) => tf.sub(p, tf.mul(grads[i], lr))));
      tf.dispose([params, grads]);
      params = next;
      const v = value.dataSync() as Float32Array;
      value.dispose();
      return v;
    },
    dispose: () => tf.dispose([...owned, ...params]),
  };
}

/** The same for Axon on `backend`, with `vg` from valueAndGrad over the parameters. */
function axonSgdRunner(
  backend: 'gpu' | 'cpu',
  vg: (...p: Tensor[]) => { value: Tensor; grads: Tensor[] },
  initial: Tensor[],
  lr: number,
  owned: Tensor[],
): Runner {
  let params = initial;
  return {
    activate: () => ax.setBackend(backend),
    run: () => {
      const { value, grads } = vg(...params);
      const next = ax.tidy(() => params.map((p, i) => ax.sub(p, ax.mul(grads[i], lr))));
      ax.dispose([params, grads]);
      params = next;
      const v = value.dataSync() as Float32Array;
      value.dispose();
      return v;
    },
    dispose: () => ax.dispose([...owned, ...params]),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Times one case: every contender is built and probed once, then `warmup` untimed and `reps`
 * timed rounds run the contenders interleaved, from a rotating start; the figure is the median.
 */
function runBench(c: BenchCase): BenchRow {
  const row: BenchRow = {
    name: c.name,
    flops: c.flops,
    reps: c.reps,
    ms: {},
    diff: {},
    first: {},
    errors: {},
  };
  const runners = new Map<Contender, Runner>();
  const last = new Map<Contender, Float32Array>();
  for (const who of CONTENDERS) {
    let r: Runner | undefined;
    try {
      r = c.build(who);
      r.activate();
      last.set(who, r.run().slice());
      runners.set(who, r);
    } catch (e) {
      r?.dispose();
      row.errors[who] = errorText(e);
    }
  }
  const names = [...runners.keys()];
  const times = new Map<Contender, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < c.warmup + c.reps; round++) {
    for (let i = 0; i < names.length; i++) {
      const who = names[(round + i) % names.length];
      const r = runners.get(who) as Runner;
      r.activate();
      const t0 = performance.now();
      const v = r.run();
      const ms = performance.now() - t0;
      // A copy: a backend may hand out its own storage, reused once the tensor is freed.
      last.set(who, v.slice());
      if (round >= c.warmup) times.get(who)?.push(ms);
    }
  }
  for (const [who, ts] of times) row.ms[who] = median(ts);
  // The MLP and CNN contenders each train their own copy, in step: their last losses are comparable.
  const ref = last.get('axon-cpu');
  if (ref) {
    for (const [who, v] of last) {
      const toRef = runners.get(who)?.toReference;
      row.diff[who] = relativeDiff(toRef ? toRef(v) : v, ref);
      row.first[who] = v[0];
    }
  }
  for (const r of runners.values()) r.dispose();
  return row;
}

export interface BenchResult {
  rows: BenchRow[];
  tfBackend: string;
  tfRenderer: string | null;
  leakedTensors: number;
}

/** Times the bench cases (those whose name contains `only`, when given), repetitions × `scale`. */
async function bench(scale = 1, only?: string): Promise<BenchResult> {
  tf.enableProdMode();
  if (!(await tf.setBackend('webgl'))) throw new Error("tf.setBackend('webgl') returned false");
  await tf.ready();
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  const dbg = gl?.getExtension('WEBGL_debug_renderer_info');
  const tfRenderer = gl && dbg ? String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)) : null;
  const r = (n: number) => Math.max(1, Math.round(n * scale));
  const cases = [
    matmulCase(256, r(10), 2),
    matmulCase(512, r(6), 1),
    matmulCase(1024, r(3), 1),
    conv2dCase(r(10), 2),
    conv2dGradCase(r(6), 1),
    mlpStepCase(r(10), 2),
    cnnStepCase(r(6), 1),
  ];
  const before = ax.memory().numTensors;
  const rows: BenchRow[] = [];
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
    rows.push(runBench(c));
    // Let the page breathe (and console messages flow) between cases.
    await new Promise((res) => setTimeout(res, 0));
  }
  ax.setBackend('gpu');
  return { rows, tfBackend: tf.getBackend(), tfRenderer, leakedTensors: ax.memory().numTensors - before };
}

// ---- the page's interface ----

const harness = {
  info,
  fixtureFiles,
  conformance,
  trainingParity,
  bench,
  errorText,
};

export type Harness = typeof harness;

(globalThis as unknown as { axonHarness: Harness }).axonHarness = harness;
