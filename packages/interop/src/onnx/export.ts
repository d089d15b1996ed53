/**
 * `toOnnx`: an Axon model as an ONNX model (protobuf bytes) that ONNX Runtime and other engines
 * run. The export walks the Module tree (see registry.ts) instead of tracing kernels: each layer
 * becomes the ONNX ops that say what it means (Conv, LSTM, LayerNormalization, ...), which engines
 * run with their fused kernels, and the weights keep their state-dict names. Tracing would give
 * Axon's composed kernels (an LSTM as dozens of MatMul/Sigmoid nodes per time step, unrolled for
 * one sequence length) and lose the names.
 *
 * The model runs once on the sample input (eval mode, no gradients) alongside, which gives every
 * value's shape and lets each exporter compare with Axon's own forward.
 */
import { noGrad } from '@axon/autograd';
import type { AnyModule } from '@axon/layers';
import {
  checkInteger,
  checkNonNegativeInt,
  checkOptions,
  checkTensor,
  Tensor,
  tidy,
  ValueError,
} from '@axon/tensor';
import { readFileBytes, writeFileAtomic } from '../files';
import { OnnxGraph } from './graph';
import { type Dim, decodeModel, encodeModel, type ModelObject, valueInfo } from './proto';
import { type Exported, exportModule, isTraced, type Traced } from './registry';

/** The opsets `toOnnx` writes (ONNX Runtime 1.16 and later run them all). */
export const ONNX_OPSETS = { min: 17, max: 21, default: 17 } as const;

/** IR version that goes with each opset (ONNX's versioning table). */
function irVersion(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

export interface OnnxExportOptions {
  /** ONNX opset, 17 to 21 (default 17). */
  opset?: number;
  /** Names of the graph inputs (default 'input', or 'input_0', 'input_1', ... for several). */
  inputNames?: readonly string[];
  /**
   * Names of the graph outputs (default 'output'; a layer with named outputs, such as an LSTM,
   * gives 'output', 'hN', 'cN').
   */
  outputNames?: readonly string[];
  /**
   * The axis of every input that holds the batch: exported as a dimension named 'batch', so that
   * any batch size runs (default 0). null fixes every input shape to the sample's.
   */
  batchAxis?: number | null;
  /** Stored as the model's doc_string. */
  docString?: string;
}

interface CheckedOptions extends OnnxExportOptions {
  opset: number;
  inputNames: readonly string[];
  batchAxis: number | null;
}

function checkExportOptions(options: unknown, inputs: number): CheckedOptions {
  const o = checkOptions('toOnnx', options) as OnnxExportOptions;
  const { min, max } = ONNX_OPSETS;
  const opset = checkInteger('toOnnx', 'opset', o.opset ?? ONNX_OPSETS.default, { min, max });
  const defaultNames = inputs === 1 ? ['input'] : Array.from({ length: inputs }, (_, i) => `input_${i}`);
  const inputNames = o.inputNames ?? defaultNames;
  if (inputNames.length !== inputs) {
    throw new ValueError(
      `toOnnx: expected ${inputs} input name(s) for ${inputs} sample input(s), got ${inputNames.length}`,
    );
  }
  const batchAxis =
    o.batchAxis === null ? null : checkNonNegativeInt('toOnnx', 'batchAxis', o.batchAxis ?? 0);
  return { ...o, opset, inputNames, batchAxis };
}

/** The model's tensors by identity → their state-dict names. */
function stateNames(model: AnyModule): Map<Tensor, string> {
  return new Map(Object.entries(model.stateDict()).map(([name, t]) => [t, name]));
}

/** Runs `fn` with every module of `model` in eval mode, then restores each one's mode. */
function inEvalMode<T>(model: AnyModule, fn: () => T): T {
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return fn();
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/**
 * The ONNX model (protobuf bytes) of `model`'s inference forward on inputs like `sampleInput` (one
 * tensor, or one per forward argument, e.g. [z, labels] for a conditional generator). Layers
 * without an ONNX exporter are an error naming the layer and its path in the model.
 */
export function toOnnx(
  model: AnyModule,
  sampleInput: Tensor | readonly Tensor[],
  options: OnnxExportOptions = {},
): Uint8Array {
  const samples: readonly Tensor[] = sampleInput instanceof Tensor ? [sampleInput] : sampleInput;
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new ValueError('toOnnx: expected sampleInput to be a Tensor or a non-empty array of Tensors');
  }
  for (const [i, s] of samples.entries()) checkTensor('toOnnx', `sampleInput[${i}]`, s);
  const o = checkExportOptions(options, samples.length);
  return inEvalMode(model, () => noGrad(() => tidy(() => encodeModel(buildModel(model, samples, o)))));
}

function buildModel(model: AnyModule, samples: readonly Tensor[], o: CheckedOptions): ModelObject {
  const graph = new OnnxGraph(o.opset, stateNames(model));
  const inputs = samples.map((sample, i) => ({ name: graph.claim(o.inputNames[i]), sample }));
  const outputs = namedOutputs(graph, exportModule(graph, model, inputs, ''), o.outputNames);
  const inputShape = (s: Tensor): Dim[] => s.shape.map((d, axis) => (axis === o.batchAxis ? 'batch' : d));
  return {
    ir_version: irVersion(o.opset),
    opset_import: [{ domain: '', version: o.opset }],
    producer_name: 'axon',
    producer_version: '0',
    ...(o.docString ? { doc_string: o.docString } : {}),
    graph: {
      name: model.constructor.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: inputs.map(({ name, sample }) => valueInfo(name, sample.dtype, inputShape(sample))),
      // Output shapes are left out with a free batch dim: which of their axes it is varies by layer.
      output: outputs.map(({ name, sample }) =>
        valueInfo(name, sample.dtype, o.batchAxis === null ? sample.shape : null),
      ),
    },
  };
}

/** The graph's outputs, each through an Identity node that gives it the name asked for. */
function namedOutputs(graph: OnnxGraph, result: Exported, names?: readonly string[]): Traced[] {
  const produced: [string, Traced][] = isTraced(result) ? [['output', result]] : Object.entries(result);
  const wanted = names ?? produced.map(([key]) => key);
  if (wanted.length !== produced.length) {
    throw new ValueError(
      `toOnnx: the model gives ${produced.length} output(s) (${produced.map(([k]) => k).join(', ')}), got ${wanted.length} output name(s)`,
    );
  }
  return produced.map(([, value], i) => ({
    name: graph.rename(value.name, wanted[i]),
    sample: value.sample,
  }));
}

/** `toOnnx`, written to `path` atomically (a temporary file renamed over it). */
export async function saveOnnx(
  path: string,
  model: AnyModule,
  sampleInput: Tensor | readonly Tensor[],
  options: OnnxExportOptions = {},
): Promise<void> {
  await writeFileAtomic('saveOnnx', path, toOnnx(model, sampleInput, options));
}

/** An ONNX file as a plain object (graph, nodes, initializers), e.g. to inspect an export. */
export async function readOnnx(path: string): Promise<ModelObject> {
  const bytes = await readFileBytes('readOnnx', path);
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw new ValueError(`readOnnx: ${path} is not an ONNX model: ${(e as Error).message}`, { cause: e });
  }
}
