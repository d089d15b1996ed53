/**
 * What the three training workloads (MLP, CNN, LSTM) share: a run is one training step — forward,
 * cross-entropy, backward, Adam update, loss read back — through each library's own autodiff and
 * optimizer, on batch k mod count at the library's k-th run, so that every library sees the same
 * batches in the same order from the same initial weights (Axon's, copied into the peers).
 *
 * The cross-check is the loss: a runner's `result()` gives the losses of its first three steps
 * (its probe step and the first two after it); main.ts compares the first (the forward pass on the
 * same weights and batch) and all three (the two Adam updates in between).
 *
 * - Axon: `@axon/layers` modules, `CrossEntropyLoss`, `loss.backward()` (`@axon/autograd`) and
 *   `@axon/optim`'s Adam, inside one `tidy`, as `fit` runs a step; `loss.item()` reads it back.
 * - tfjs: `optimizer.minimize(lossFn, true, variables)` with `tf.train.adam(lr, 0.9, 0.999, 1e-8)`
 *   (tfjs's default epsilon is 1e-7) and `tf.losses.softmaxCrossEntropy` (MEAN); `dataSync()`.
 * - jax-js: `valueAndGrad` of the loss and a hand-written Adam (torch's formula; jax-js has no
 *   optimizer in its core package), the whole step under `jit`, as one writes it in JAX; the
 *   step waits for every output (`blockUntilReady`), then reads the loss.
 * - torch: `nn` modules, `nn.CrossEntropyLoss`, `torch.optim.Adam`, one thread (../torch_peer.ts).
 */
import { noGrad } from '@axon/autograd';
import type { Loss, Module } from '@axon/layers';
import { Adam } from '@axon/optim';
import { type Tensor, tidy } from '@axon/tensor';
import { getTorchPeer, jax, type LibName, tf, useTfBackend } from '../peers';
import type { Runner } from '../timing';
import type { ArraySpec } from '../torch_peer';
import type { BenchCase } from './case';

export const LR = 1e-3;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;
/** How many of the first losses a runner keeps for the cross-check. */
export const CHECKED_STEPS = 3;

/** One library's training step on batch `index`: its loss, now or once the work is done. */
export interface Trainer {
  activate?: () => Promise<void>;
  step(index: number): number | Promise<number>;
  dispose(): void;
}

/** The PyTorch peer's step: timed in the Python process. */
export interface TimedTrainer {
  timedStep(): Promise<{ ms: number; loss: number }>;
  dispose(): void;
}

export interface TrainCaseSpec {
  name: string;
  /** The throughput unit: samples/s (`perRun` samples a step) or steps/s (`perRun` 1). */
  unit: 'samples/s' | 'steps/s';
  perRun: number;
  reps: number;
  warmup: number;
  libs: readonly LibName[];
  build(lib: LibName): Promise<Trainer | TimedTrainer>;
}

export function trainCase(spec: TrainCaseSpec): BenchCase {
  return {
    name: spec.name,
    reps: spec.reps,
    warmup: spec.warmup,
    libs: spec.libs,
    unit: { label: spec.unit, perRun: spec.perRun },
    async build(lib): Promise<Runner> {
      const trainer = await spec.build(lib);
      const losses: number[] = [];
      const keep = (loss: number) => {
        if (losses.length < CHECKED_STEPS) losses.push(loss);
      };
      let k = 0;
      let run: Runner['run'];
      if ('timedStep' in trainer) {
        run = async () => {
          const { ms, loss } = await trainer.timedStep();
          keep(loss);
          return ms;
        };
      } else {
        run = () => {
          const loss = trainer.step(k++);
          if (typeof loss === 'number') keep(loss);
          else
            return loss.then((l) => {
              keep(l);
              return undefined;
            });
        };
      }
      return {
        activate: ('activate' in trainer && trainer.activate) || (async () => {}),
        run,
        result: async () => Float64Array.from(losses),
        dispose: () => trainer.dispose(),
      };
    },
  };
}

// ---- Axon ----

/**
 * Axon's step: `loss.forward(model.forward(x), y)`, `backward()`, Adam's `step()` under noGrad,
 * `zeroGrad()`, `item()`; inputs and targets are made once per batch (untimed).
 */
export function axonTrainer(
  model: Module,
  loss: Loss,
  batches: { x: Tensor[]; y: Tensor[] },
  extra: { forward?: (x: Tensor) => Tensor; parameters?: Tensor[]; dispose?: () => void } = {},
): Trainer {
  const optimizer = new Adam(extra.parameters ?? model.parameters(), { lr: LR });
  const forward = extra.forward ?? ((x: Tensor) => model.forward(x));
  const count = batches.x.length;
  return {
    step: (k) =>
      tidy(() => {
        const i = k % count;
        const l = loss.forward(forward(batches.x[i]), batches.y[i]);
        l.backward();
        noGrad(() => optimizer.step());
        optimizer.zeroGrad();
        return l.item();
      }),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
      extra.dispose?.();
      for (const t of [...batches.x, ...batches.y]) t.dispose();
    },
  };
}

// ---- tfjs ----

/**
 * tfjs's step on `lib`'s backend: `minimize` of `lossFn(x, yOneHot)` over `variables` with tfjs's
 * Adam; the cost comes back with `dataSync()`.
 */
export function tfTrainer(
  lib: 'tfjs-cpu' | 'tfjs-wasm',
  variables: tf.Variable[],
  batches: { x: tf.Tensor[]; y: tf.Tensor[] },
  lossFn: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar,
): Trainer {
  const optimizer = tf.train.adam(LR, BETA1, BETA2, EPS);
  const count = batches.x.length;
  return {
    activate: () => useTfBackend(lib),
    step: (k) => {
      const i = k % count;
      const cost = optimizer.minimize(() => lossFn(batches.x[i], batches.y[i]), true, variables);
      if (!cost) throw new Error('tfjs: minimize returned no cost');
      const value = cost.dataSync()[0];
      cost.dispose();
      return value;
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([...variables, ...batches.x, ...batches.y]);
    },
  };
}

/** Softmax cross-entropy of logits against one-hot targets, averaged over the rows (tfjs). */
export function tfCrossEntropy(logits: tf.Tensor, yOneHot: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(yOneHot, logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
}

// ---- jax-js ----

type JaxArray = jax.numpy.Array;
export type JaxParams = Record<string, JaxArray>;

/** A jax-js array from float32 values and a shape. */
export function jaxArray(values: Float32Array, shape: number[]): JaxArray {
  return jax.numpy.array(values).reshape(shape);
}

/** Softmax cross-entropy of logits [n, k] against one-hot targets [n, k], averaged (jax-js). */
export function jaxCrossEntropy(logits: JaxArray, yOneHot: JaxArray): JaxArray {
  return jax.nn.logSoftmax(logits, -1).mul(yOneHot).sum(-1).mean().neg();
}

/**
 * jax-js's step: `jit` of `valueAndGrad(lossFn)` followed by Adam on every parameter
 * (m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², p ← p − (lr/(1 − β1ᵗ))·m / (√v/√(1 − β2ᵗ) + ε)).
 * `lossFn` follows jax-js's ownership rules: it consumes its arguments.
 */
export function jaxTrainer(
  init: JaxParams,
  batches: { x: JaxArray[]; y: JaxArray[] },
  lossFn: (params: JaxParams, x: JaxArray, y: JaxArray) => JaxArray,
): Trainer {
  const np = jax.numpy;
  const names = Object.keys(init);
  const step = jax.jit(
    (
      params: JaxParams,
      m: JaxParams,
      v: JaxParams,
      x: JaxArray,
      y: JaxArray,
      stepSize: JaxArray,
      bc2: JaxArray,
    ) => {
      const [loss, grads] = jax.valueAndGrad(lossFn)(jax.tree.ref(params), x, y);
      const p2: JaxParams = {};
      const m2: JaxParams = {};
      const v2: JaxParams = {};
      for (const name of names) {
        const g = grads[name];
        m2[name] = m[name].mul(BETA1).add(g.ref.mul(1 - BETA1));
        v2[name] = v[name].mul(BETA2).add(g.ref.mul(g).mul(1 - BETA2));
        const denom = np.sqrt(v2[name].ref).div(bc2.ref).add(EPS);
        p2[name] = params[name].sub(m2[name].ref.mul(stepSize.ref).div(denom));
      }
      stepSize.dispose();
      bc2.dispose();
      return [loss, p2, m2, v2] as [JaxArray, JaxParams, JaxParams, JaxParams];
    },
  );
  let params = init;
  let m: JaxParams = Object.fromEntries(names.map((n) => [n, np.zerosLike(init[n].ref)]));
  let v: JaxParams = Object.fromEntries(names.map((n) => [n, np.zerosLike(init[n].ref)]));
  let t = 0;
  const count = batches.x.length;
  return {
    step: async (k) => {
      const i = k % count;
      t++;
      const stepSize = np.array(LR / (1 - BETA1 ** t));
      const bc2 = np.array(Math.sqrt(1 - BETA2 ** t));
      const [loss, p2, m2, v2] = step(params, m, v, batches.x[i].ref, batches.y[i].ref, stepSize, bc2);
      params = p2;
      m = m2;
      v = v2;
      await jax.blockUntilReady([loss, params, m, v]);
      return loss.dataSync()[0]; // reading consumes the array
    },
    dispose: () => {
      jax.tree.dispose([params, m, v, batches.x, batches.y]);
      step.dispose();
    },
  };
}

// ---- PyTorch ----

/** Sets the workload up in the Python peer; each run is one step there. */
export async function torchTrainer(setup: Record<string, unknown>): Promise<TimedTrainer> {
  const peer = getTorchPeer();
  const id = `${String(setup.case)}-${Math.random().toString(36).slice(2)}`;
  await peer.request({ cmd: 'setup', id, lr: LR, ...setup });
  return {
    timedStep: async () => {
      const reply = await peer.request({ cmd: 'run', id });
      return { ms: Number(reply.ms), loss: Number(reply.loss) };
    },
    dispose: () => {
      void peer.request({ cmd: 'drop', id }).catch(() => {});
    },
  };
}

/** The initial weights as files for the Python peer, under torch's state-dict names. */
export function torchParams(params: Map<string, ParamValues>): Record<string, ArraySpec> {
  const peer = getTorchPeer();
  return Object.fromEntries([...params].map(([name, p]) => [name, peer.array(p.values, p.shape)]));
}

/** Values as a file for the Python peer. */
export function torchArray(values: Float32Array | Int32Array, shape: number[]): ArraySpec {
  return getTorchPeer().array(values, shape);
}

/** Concatenates equal-length arrays (the batches, for one file). */
export function concat<T extends Float32Array | Int32Array>(parts: T[]): T {
  const n = parts[0].length;
  const out = new (parts[0].constructor as new (n: number) => T)(n * parts.length);
  for (const [i, p] of parts.entries()) out.set(p, i * n);
  return out;
}

export interface ParamValues {
  values: Float32Array;
  shape: number[];
}

/**
 * Axon's initial parameters, which every library starts from: made once (seeded) from `make` on
 * first use, copied out by name, the model disposed. `all()` is every one, `param(name)` one;
 * `kernel(name)` gives an [out, in] weight as the [in, out] kernel tfjs and jax-js multiply by.
 */
export function initialParameters(make: () => Module): {
  all(): Map<string, ParamValues>;
  param(name: string): ParamValues;
  kernel(name: string): ParamValues;
} {
  let init: Map<string, ParamValues> | null = null;
  const all = (): Map<string, ParamValues> => {
    if (!init) {
      const m = make();
      init = new Map(
        m
          .namedParameters()
          .map(([n, t]) => [n, { values: Float32Array.from(t.dataSync()), shape: [...t.shape] }]),
      );
      m.dispose();
    }
    return init;
  };
  const param = (name: string): ParamValues => all().get(name) as ParamValues;
  const kernel = (name: string): ParamValues => {
    const { values, shape } = param(name);
    const [out, inn] = shape;
    const t = new Float32Array(values.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) t[i * out + o] = values[o * inn + i];
    return { values: t, shape: [inn, out] };
  };
  return { all, param, kernel };
}
