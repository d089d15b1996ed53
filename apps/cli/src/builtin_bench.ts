/**
 * The built-in benchmark `axon bench` runs where the repository's bench is absent (the CLI
 * installed on its own) or with `--builtin`: Axon alone, on the current backend, with no peer
 * library to install. Two workloads, each timed several times after a warm-up, the median
 * reported: square float32 matmuls (GFLOP/s) and training steps of the MNIST MLP 784-128-10
 * (forward, cross-entropy, backward, Adam; random data, batch 64) through fit (samples/s). For the
 * comparisons with TensorFlow.js, jax-js and PyTorch, use the repository's bench.
 */
import { availableParallelism } from 'node:os';
import { CrossEntropyLoss } from '@axon/layers';
import { mlp } from '@axon/models';
import { Adam } from '@axon/optim';
import { Generator, matmul, randint, randn, tidy } from '@axon/tensor';
import { fit } from '@axon/train';
import { type Io, println } from './io';

interface BenchResult {
  name: string;
  /** Median milliseconds per run. */
  ms: number;
  /** The rate and its unit: GFLOP/s, samples/s. */
  rate: number;
  unit: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The median wall time of `runs` calls of `fn` after one warm-up call, in milliseconds. */
async function time(runs: number, fn: () => Promise<void>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function matmulCase(n: number, runs: number): Promise<BenchResult> {
  const gen = new Generator(0);
  const a = randn([n, n], { generator: gen });
  const b = randn([n, n], { generator: gen });
  const ms = await time(runs, async () => {
    const c = tidy(() => matmul(a, b));
    await c.data();
    c.dispose();
  });
  a.dispose();
  b.dispose();
  return { name: `matmul ${n}x${n} float32`, ms, rate: (2 * n ** 3) / (ms * 1e6), unit: 'GFLOP/s' };
}

async function mlpCase(batchSize: number, steps: number, runs: number): Promise<BenchResult> {
  const gen = new Generator(0);
  const model = mlp({ inputSize: 784, hiddenSizes: [128], outputSize: 10 });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const batches = Array.from({ length: steps }, () => ({
    x: randn([batchSize, 784], { generator: gen }),
    y: randint(0, 10, [batchSize], { generator: gen }),
  }));
  const loss = new CrossEntropyLoss();
  const ms = await time(runs, async () => {
    await fit(model, { optimizer, loss, trainData: batches, epochs: 1, progress: false });
  });
  for (const { x, y } of batches) {
    x.dispose();
    y.dispose();
  }
  const perStep = ms / steps;
  return {
    name: `mlp 784-128-10 training step, batch ${batchSize}`,
    ms: perStep,
    rate: (batchSize * 1000) / perStep,
    unit: 'samples/s',
  };
}

export async function runBuiltinBench(
  { quick, json, backend }: { quick: boolean; json: boolean; backend: string },
  io: Io,
): Promise<void> {
  const runs = quick ? 2 : 7;
  const sizes = quick ? [64, 128] : [256, 512, 1024];
  println(
    io.out,
    `axon bench (built-in): ${backend} backend, Node ${process.versions.node}, ${availableParallelism()} cores; median of ${runs} runs`,
  );
  const results: BenchResult[] = [];
  for (const n of sizes) results.push(await matmulCase(n, runs));
  results.push(await mlpCase(64, quick ? 4 : 20, runs));
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    const rate = r.rate.toLocaleString('en-US', { maximumFractionDigits: r.rate < 100 ? 1 : 0 });
    println(
      io.out,
      `  ${r.name.padEnd(width)}  ${r.ms.toFixed(3).padStart(9)} ms  ${rate.padStart(9)} ${r.unit}`,
    );
  }
  if (json) println(io.out, JSON.stringify({ backend, quick, results }));
}
