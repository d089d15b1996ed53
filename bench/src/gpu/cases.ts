/**
 * The cases of `pnpm bench --backend gpu`: each builds the same computation on Axon's cpu backend
 * and on its gpu backend. A timed run ends with the results on the host (read back, or for the
 * training step the loss read back and the device drained), so GL's deferred execution is timed
 * in full.
 */
import { valueAndGrad } from '@axon/autograd';
import { conv2d, dispose, matmul, mul, setBackend, sum, type Tensor, tensor, tidy } from '@axon/tensor';
import { fixedValues } from '@axon/testing';
import { MLP_STEP_FLOPS, MLP_STEP_NAME, mlpStep } from '../mlp_step';
import type { Runner } from '../timing';

export type Target = 'cpu' | 'gpu';

export interface GpuBenchCase {
  name: string;
  flops?: number;
  reps: number;
  warmup: number;
  /** Builds the runner for one backend (made current first), inputs included. */
  build(target: Target, finish: () => void): Runner;
}

/** Reads every tensor back (the timed end of a run) and returns the values, flattened. */
function readAll(ts: readonly Tensor[]): Float64Array {
  return Float64Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
}

function runnerOf(target: Target, compute: () => Tensor[], inputs: Tensor[]): Runner {
  return {
    activate: async () => setBackend(target),
    run: () =>
      tidy(() => {
        readAll(compute());
      }),
    result: async () => {
      setBackend(target);
      return tidy(() => readAll(compute()));
    },
    dispose: () => dispose(inputs),
  };
}

/** C = A·B with A, B of n × n; the product is read back. */
export function matmulCase(n: number, reps: number, warmup: number): GpuBenchCase {
  const aData = fixedValues(n * n, 1);
  const bData = fixedValues(n * n, 2);
  return {
    name: `matmul ${n}×${n} f32`,
    flops: 2 * n * n * n,
    reps,
    warmup,
    build(target) {
      setBackend(target);
      const a = tensor(aData, { shape: [n, n] });
      const b = tensor(bData, { shape: [n, n] });
      return runnerOf(target, () => [matmul(a, b)], [a, b]);
    },
  };
}

/**
 * conv2d 3×3, 1 → 32 channels, batch 32 of 28×28, padding 1, then the gradients of sum(out ⊙ R)
 * with respect to the input and the weight (bench/src/cases/conv2d.ts, on both backends); the
 * loss and both gradients are read back.
 */
export function conv2dCase(reps: number, warmup: number): GpuBenchCase {
  const [N, C, O, H, W, K] = [32, 1, 32, 28, 28, 3];
  const xData = fixedValues(N * C * H * W, 3);
  const wData = fixedValues(O * C * K * K, 4);
  const rData = fixedValues(N * O * H * W, 5);
  return {
    name: `conv2d ${N}×${C}×${H}×${W} → ${O}ch 3×3 fwd+bwd`,
    flops: 3 * 2 * N * O * H * W * C * K * K,
    reps,
    warmup,
    build(target) {
      setBackend(target);
      const x = tensor(xData, { shape: [N, C, H, W] });
      const w = tensor(wData, { shape: [O, C, K, K] });
      const r = tensor(rData, { shape: [N, O, H, W] });
      const step = valueAndGrad((xs: Tensor, ws: Tensor) =>
        sum(mul(conv2d(xs, ws, null, { padding: 1 }), r)),
      );
      return runnerOf(target, () => {
        const { value, grads } = step(x, w);
        return [value, ...grads];
      }, [x, w, r]);
    },
  };
}

/**
 * One training step of an MLP 784 → 128 (relu) → 10 on a batch of 64 with cross-entropy: forward,
 * backward, and the SGD update of all four parameters. A training loop reads only the loss, so
 * the timed run reads the loss back and then waits for the device to finish the updates; the
 * cross-check (untimed) compares the loss and the updated parameters.
 */
export function mlpStepCase(reps: number, warmup: number): GpuBenchCase {
  return {
    name: MLP_STEP_NAME,
    flops: MLP_STEP_FLOPS,
    reps,
    warmup,
    build(target, finish) {
      setBackend(target);
      const { tensors, step } = mlpStep();
      return {
        activate: async () => setBackend(target),
        run: () =>
          tidy(() => {
            const { loss } = step();
            loss.item();
            finish();
          }),
        result: async () => {
          setBackend(target);
          return tidy(() => {
            const { loss, updated } = step();
            return readAll([loss, ...updated]);
          });
        },
        dispose: () => dispose(tensors),
      };
    },
  };
}
