/**
 * `axon export <file.axon> --onnx <out.onnx> | --safetensors <out.safetensors>`: a model file for
 * the engines that serve and train at scale, through @axon/interop. ONNX (for ONNX Runtime and
 * other engines) needs an input to run the model on once: the family's example (what `info`
 * traces), or `--input-shape` for a model no family reads; its batch axis stays free unless
 * `--batch-size` fixes it. Where onnxruntime-node can be loaded (onnx_runtime.ts), the export is
 * run there and compared with Axon's forward. safetensors holds the weights under PyTorch's names,
 * for `load_state_dict` (and `axon import`).
 */
import { stat } from 'node:fs/promises';
import { decodeOnnx, ONNX_OPSETS, saveTorchSafetensors, toOnnx, toTorchStateDict } from '@axon/interop';
import { type Module, writeFileAtomic } from '@axon/layers';
import { dispose, Generator, rand, ShapeError, sizeOf, type Tensor, zeros } from '@axon/tensor';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, UsageError } from '../errors';
import { type FamilyName, family, summaryInputs } from '../families';
import { type Io, println } from '../io';
import { readModel } from '../model_file';
import { checkInOnnxRuntime, loadOnnxRuntime, ORT_TOLERANCE } from '../onnx_runtime';
import { positiveInt } from '../options';

interface ExportOptions {
  onnx?: string;
  safetensors?: string;
  opset?: number;
  batchSize?: number;
  inputShape?: number[];
  verify: boolean;
}

function opset(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < ONNX_OPSETS.min || n > ONNX_OPSETS.max) {
    throw new InvalidArgumentError(`expected an opset from ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}.`);
  }
  return n;
}

/** `1,1,28,28` → [1, 1, 28, 28]. */
function shapeList(value: string): number[] {
  try {
    return value.split(',').map(positiveInt);
  } catch {
    throw new InvalidArgumentError(
      'expected positive integers separated by commas, batch first (1,1,28,28).',
    );
  }
}

export function addExportCommand(program: Command, io: Io): void {
  program
    .command('export')
    .description('write a model file as ONNX (checked in ONNX Runtime) and/or PyTorch safetensors')
    .argument('<file>', 'a .axon model file')
    .option('--onnx <path>', 'write the ONNX model of its inference forward here')
    .option('--safetensors <path>', "write its weights here, under PyTorch's names (a state dict)")
    .option(
      '--opset <n>',
      `ONNX opset, ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max} (default: ${ONNX_OPSETS.default})`,
      opset,
    )
    .option(
      '--batch-size <n>',
      "fix the input's batch size (default: free, any batch size runs)",
      positiveInt,
    )
    .option(
      '--input-shape <dims>',
      "the input's shape, batch first (default: the family's example, e.g. 1,1,28,28)",
      shapeList,
    )
    .option('--no-verify', 'do not run the ONNX model in ONNX Runtime')
    .addHelpText(
      'after',
      '\nThe ONNX export is run in ONNX Runtime on random inputs and compared with Axon (within 1e-5) when\n' +
        'onnxruntime-node can be loaded: beside the CLI, in the current project (npm i onnxruntime-node),\n' +
        "or in an Axon checkout (@axon/interop's tests use it); elsewhere it is written unchecked, and says so.\n" +
        'A GAN exports its generator: inputs z (and labels, for a conditional one).\n\n' +
        'Examples:\n  axon export out/mlp/mlp.axon --onnx mlp.onnx --safetensors mlp.safetensors\n' +
        '  axon export model.axon --onnx model.onnx --input-shape 1,3,32,32 --opset 18',
    )
    .action((file: string, o: ExportOptions) => exportModel(file, o, io));
}

const count = (n: number) => n.toLocaleString('en-US');

async function exportModel(path: string, o: ExportOptions, io: Io): Promise<void> {
  if (!o.onnx && !o.safetensors) {
    throw new UsageError('say what to write: --onnx <out.onnx>, --safetensors <out.safetensors>, or both');
  }
  const onnxOnly = { opset: o.opset, 'batch-size': o.batchSize, 'input-shape': o.inputShape };
  const stray = Object.keys(onnxOnly).filter((k) => onnxOnly[k as keyof typeof onnxOnly] !== undefined);
  if (!o.onnx && stray.length > 0) {
    throw new UsageError(`--${stray.join(', --')} ${stray.length === 1 ? 'goes' : 'go'} with --onnx`);
  }

  const { model, className, family: name } = await readModel(path);
  // ONNX first: it is the export that can fail on a model (its input, a layer without an exporter).
  if (o.onnx) {
    const specs = inputSpecs(path, className, model, name, o.inputShape);
    await writeOnnx(path, o.onnx, model, name, specs, o, io);
  }
  if (o.safetensors) {
    await saveTorchSafetensors(o.safetensors, model);
    const { size } = await stat(o.safetensors);
    println(io.out, `wrote ${o.safetensors}: ${weightsText(model)}, ${count(size)} bytes (PyTorch names)`);
  }
}

/** One input of the exported graph: its shape without the batch axis, its dtype, the example's batch. */
interface InputSpec {
  shape: readonly number[];
  dtype: Tensor['dtype'];
  batch: number;
}

/** The inputs to trace: `--input-shape`'s, else the family's example; neither is a CliError. */
function inputSpecs(
  path: string,
  className: string,
  model: Module,
  name: FamilyName | undefined,
  inputShape: number[] | undefined,
): InputSpec[] {
  if (inputShape) return [{ batch: inputShape[0], shape: inputShape.slice(1), dtype: 'float32' }];
  if (!name) {
    throw new CliError(
      `${path}: a ${className} model, which no model family of this CLI reads, so its input is not known: ` +
        'give its shape, batch first, with --input-shape (e.g. --input-shape 1,1,28,28)',
    );
  }
  const examples = summaryInputs(name, model);
  const specs = examples.map((t) => ({ batch: t.shape[0], shape: t.shape.slice(1), dtype: t.dtype }));
  dispose(examples);
  return specs;
}

/** Inputs of `batch` examples: uniform [0, 1) floats (images, noise), zero indices (class labels). */
function makeInputs(specs: readonly InputSpec[], batch: number, generator: Generator): Tensor[] {
  return specs.map(({ shape, dtype }) =>
    dtype === 'float32' || dtype === 'float64'
      ? rand([batch, ...shape], { dtype, generator })
      : zeros([batch, ...shape], dtype),
  );
}

async function writeOnnx(
  path: string,
  out: string,
  model: Module,
  name: FamilyName | undefined,
  specs: readonly InputSpec[],
  o: ExportOptions,
  io: Io,
): Promise<void> {
  const module = (name && family(name).onnxModule?.(model)) || model;
  const generator = new Generator(0);
  const batch = o.batchSize ?? specs[0].batch;
  const sample = makeInputs(specs, batch, generator);
  let bytes: Uint8Array;
  try {
    bytes = toOnnx(module, sample, {
      opset: o.opset,
      batchAxis: o.batchSize === undefined ? 0 : null,
    });
  } catch (e) {
    if (!(e instanceof ShapeError) || o.inputShape) throw e;
    const shape = `[${[batch, ...specs[0].shape].join(', ')}]`;
    throw new CliError(
      `${path}: the model does not take the input of ${name} models, ${shape} (${e.message}); ` +
        'give its input shape, batch first, with --input-shape',
      { cause: e },
    );
  } finally {
    dispose(sample);
  }
  await writeFileAtomic(out, bytes);
  const { graph, opset_import } = decodeOnnx(bytes);
  const ops = new Map<string, number>();
  for (const node of graph.node) ops.set(node.op_type, (ops.get(node.op_type) ?? 0) + 1);
  const opList = [...ops].map(([op, n]) => (n === 1 ? op : `${op} ×${n}`)).join(', ');
  const free = o.batchSize === undefined ? 'batch' : String(batch);
  const inputText = specs.map((s) => `[${[free, ...s.shape].join(', ')}] ${s.dtype}`).join(', ');
  println(
    io.out,
    `wrote ${out}: opset ${opset_import[0].version}, ${graph.node.length} nodes (${opList}), ` +
      `${graph.initializer.length} initializers, ${count(bytes.length)} bytes; input ${inputText}`,
  );
  if (o.verify) await verify(out, bytes, module, specs, o.batchSize ?? 2, generator, io);
}

/** Runs the export in ONNX Runtime (a batch of 2 where the batch is free) against Axon's forward. */
async function verify(
  out: string,
  bytes: Uint8Array,
  module: Module,
  specs: readonly InputSpec[],
  batch: number,
  generator: Generator,
  io: Io,
): Promise<void> {
  const ort = loadOnnxRuntime();
  if (!ort) {
    println(io.out, 'not checked in ONNX Runtime: onnxruntime-node cannot be loaded here (see --help)');
    return;
  }
  const inputs = makeInputs(specs, batch, generator);
  try {
    const check = await checkInOnnxRuntime(ort, bytes, module, inputs);
    const diff = `max |ORT − Axon| ${check.maxDiff.toExponential(1)} on ${batch} random examples`;
    if (!check.ok) {
      throw new CliError(
        `${out}: ONNX Runtime ${check.version} disagrees with Axon: ${diff}, over the tolerance ` +
          `(${ORT_TOLERANCE.atol} + ${ORT_TOLERANCE.rtol}·|value|)`,
      );
    }
    println(io.out, `checked in ONNX Runtime ${check.version}: ${diff}`);
  } finally {
    dispose(inputs);
  }
}

/** `4 tensors, 101,770 values`: the model's state dict. */
export function weightsText(model: Module): string {
  const tensors = Object.values(toTorchStateDict(model));
  const values = tensors.reduce((n, t) => n + sizeOf(t.shape), 0);
  return `${tensors.length} tensor${tensors.length === 1 ? '' : 's'}, ${count(values)} values`;
}
