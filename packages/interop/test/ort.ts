/**
 * Test helper: runs an exported model in ONNX Runtime (CPU, one thread) and compares every output
 * with Axon's own forward on the same inputs, within 1e-5. Records the worst difference per case,
 * so that the suite can print them.
 */
import type { AnyModule, Module } from '@axon/layers';
import { Tensor, tidy } from '@axon/tensor';
import { compareClose } from '@axon/testing';
import * as ort from 'onnxruntime-node';
import { type OnnxExportOptions, toOnnx } from '../src';

export const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

/** The worst |ORT − Axon| of each case run so far. */
export const worstDiffs = new Map<string, number>();

/** Prints `worstDiffs` under `title` (the suites call it after all their tests). */
export function printWorstDiffs(title: string): void {
  const rows = [...worstDiffs].map(([k, v]) => `${k}: ${v.toExponential(2)}`);
  console.log(`max |ORT − Axon| per ${title}\n  ${rows.join('\n  ')}`);
}

const ORT_TYPES = { float32: 'float32', float64: 'float64', int32: 'int32', bool: 'bool' } as const;

/** Runs ONNX bytes in ONNX Runtime on the given inputs (by graph input name). */
export async function runOrt(
  bytes: Uint8Array,
  inputs: Record<string, Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor(ORT_TYPES[t.dtype], t.dataSync() as Float32Array, t.shape);
    }
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

type Outputs = Tensor | Record<string, Tensor>;

/**
 * Exports `model` for `sample`, runs it in ORT on `inputs` (default: the sample itself; another
 * batch size checks the dynamic batch axis), and throws unless each output matches Axon's forward
 * on the same inputs. Returns the worst absolute difference.
 */
export async function expectOrtMatches(
  label: string,
  model: AnyModule,
  sample: Tensor | Tensor[],
  options: OnnxExportOptions & { inputs?: Tensor | Tensor[] } = {},
): Promise<number> {
  const bytes = toOnnx(model, sample, options);
  const run = options.inputs ?? sample;
  const list = Array.isArray(run) ? run : [run];
  const names = options.inputNames ?? (list.length === 1 ? ['input'] : list.map((_, i) => `input_${i}`));
  const got = await runOrt(bytes, Object.fromEntries(names.map((n, i) => [n, list[i]])));
  model.eval();
  const expected: Outputs = tidy(() =>
    (model as Module<Tensor, Outputs>).forward.call(model, ...(list as [Tensor])),
  );
  const want: Record<string, Tensor> = expected instanceof Tensor ? { output: expected } : expected;
  let worst = 0;
  for (const [name, t] of Object.entries(want)) {
    const out = got[options.outputNames?.[0] && name === 'output' ? options.outputNames[0] : name];
    if (!out) throw new Error(`${label}: ORT gave no output '${name}' (got ${Object.keys(got).join(', ')})`);
    if (out.dims.join() !== t.shape.join()) {
      throw new Error(
        `${label}: output '${name}' has shape [${out.dims.join(', ')}] in ORT, [${t.shape.join(', ')}] in Axon`,
      );
    }
    const report = compareClose(Array.from(out.data as Float32Array), t, {
      ...TOLERANCE,
      what: `${label} ${name}`,
    });
    if (!report.ok) throw new Error(report.message);
    worst = Math.max(worst, report.count ? maxAbsDiff(out.data as Float32Array, t) : 0);
  }
  worstDiffs.set(label, worst);
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, t: Tensor): number {
  const b = t.dataSync() as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
}
