/**
 * `axon export --onnx` checks what it wrote in ONNX Runtime when it can: it runs the exported
 * model and Axon's forward on the same inputs and compares the outputs. onnxruntime-node is not a
 * dependency of the CLI (a native binary of ~70 MB for a check), so it is looked up where a user
 * has it: beside the CLI, in the current folder's project, or — in an Axon checkout — as the
 * devDependency of @axon/interop that its tests run. Where none of these has it, the export is
 * written unchecked and says so.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { noGrad } from '@axon/autograd';
import type { AnyModule } from '@axon/layers';
import { Tensor, tidy } from '@axon/tensor';

/** What the check uses of onnxruntime-node's API (the package's types are not a dependency either). */
interface OrtTensor {
  readonly data: ArrayLike<number | bigint>;
}
interface OnnxRuntime {
  env: { versions: { node?: string; common?: string } };
  Tensor: new (
    type: string,
    data: Float32Array | Float64Array | Int32Array,
    dims: readonly number[],
  ) => OrtTensor;
  InferenceSession: {
    create(
      bytes: Uint8Array,
      options: { intraOpNumThreads: number; interOpNumThreads: number },
    ): Promise<{
      readonly inputNames: readonly string[];
      readonly outputNames: readonly string[];
      run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
      release(): Promise<void>;
    }>;
  };
}

/** The tolerance @axon/interop's tests hold every export to: |ORT − Axon| ≤ 1e-5 + 1e-5·|Axon|. */
export const ORT_TOLERANCE = { atol: 1e-5, rtol: 1e-5 } as const;

/** Where onnxruntime-node is looked up from: files whose folders `require` searches. */
function searchBases(): string[] {
  const here = createRequire(import.meta.url);
  const interop = (here.resolve.paths('@axon/interop') ?? [])
    .map((dir) => join(dir, '@axon', 'interop', 'package.json'))
    .find((path) => existsSync(path));
  return [import.meta.url, join(process.cwd(), 'package.json'), ...(interop ? [interop] : [])];
}

/** onnxruntime-node, or undefined where it cannot be loaded. */
export function loadOnnxRuntime(): OnnxRuntime | undefined {
  for (const base of searchBases()) {
    try {
      return createRequire(base)('onnxruntime-node') as OnnxRuntime;
    } catch {
      // not installed there (or its binary does not load here): try the next place
    }
  }
  return undefined;
}

export interface OrtCheck {
  /** onnxruntime-node's version. */
  version: string;
  /** The largest |ORT − Axon| over every output value. */
  maxDiff: number;
  /** Whether every value is within ORT_TOLERANCE. */
  ok: boolean;
}

const ORT_TYPES: Partial<Record<Tensor['dtype'], string>> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
};

/** The tensors a forward returned: one, an array of them, or an object of them (an RNN's). */
function outputTensors(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  const values = Array.isArray(result) ? result : Object.values(result as object);
  return values.filter((v): v is Tensor => v instanceof Tensor);
}

/**
 * Runs the ONNX model `bytes` in ONNX Runtime on `inputs` (in the graph's input order) and
 * compares each output with `module`'s forward in eval mode.
 */
export async function checkInOnnxRuntime(
  ort: OnnxRuntime,
  bytes: Uint8Array,
  module: AnyModule,
  inputs: readonly Tensor[],
): Promise<OrtCheck> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds = Object.fromEntries(
      inputs.map((t, i) => {
        const type = ORT_TYPES[t.dtype];
        if (!type) throw new Error(`cannot feed a ${t.dtype} input to ONNX Runtime`);
        return [session.inputNames[i], new ort.Tensor(type, t.dataSync() as Float32Array, t.shape)];
      }),
    );
    const got = await session.run(feeds);
    module.eval();
    const forward = module.forward.bind(module) as (...args: readonly Tensor[]) => unknown;
    const expected = noGrad(() =>
      tidy(() => outputTensors(forward(...inputs)).map((t) => Float64Array.from(t.dataSync()))),
    );
    if (expected.length !== session.outputNames.length) {
      throw new Error(
        `the model gives ${expected.length} output(s), the ONNX graph ${session.outputNames.length}`,
      );
    }
    let maxDiff = 0;
    let ok = true;
    session.outputNames.forEach((name, i) => {
      const actual = got[name].data;
      const want = expected[i];
      if (actual.length !== want.length) ok = false;
      for (let j = 0; j < Math.min(actual.length, want.length); j++) {
        const diff = Math.abs(Number(actual[j]) - want[j]);
        maxDiff = Math.max(maxDiff, Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff);
        if (!(diff <= ORT_TOLERANCE.atol + ORT_TOLERANCE.rtol * Math.abs(want[j]))) ok = false;
      }
    });
    return { version: ort.env.versions.node ?? ort.env.versions.common ?? 'unknown', maxDiff, ok };
  } finally {
    await session.release();
  }
}
