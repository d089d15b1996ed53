/**
 * The table of layer exporters: for each registered layer name, a function that appends the ONNX
 * nodes computing that layer's forward to the graph. Export walks the Module tree through it: a
 * container's exporter calls `ctx.child` for its children, so each layer is written once, in its
 * own family file, and an unsupported layer is named with its path in the model.
 *
 * The built-in exporters come in as plain imports (no import-time side effects); a layer from
 * another package adds its own with `registerOnnxExporter`.
 */
import { type AnyModule, layerNameOf } from '@axon/layers';
import { type Tensor, ValueError } from '@axon/tensor';
import { activationExporters } from './exporters/activations';
import { attentionExporters } from './exporters/attention';
import { containerExporters } from './exporters/containers';
import { convExporters } from './exporters/conv';
import { embeddingExporters } from './exporters/embedding';
import { linearExporters } from './exporters/linear';
import { normalizationExporters } from './exporters/normalization';
import { poolingExporters } from './exporters/pooling';
import { recurrentExporters } from './exporters/recurrent';
import { shapeExporters } from './exporters/shape';
import { zooExporters } from './exporters/zoo';
import type { OnnxGraph } from './graph';
import type { AttributeValue } from './proto';

/** A value in the graph: its name there, and its value for the sample input (for shapes and checks). */
export interface Traced {
  name: string;
  sample: Tensor;
}

/** What a layer's export gives: one value, or named ones (a recurrent layer's output, hN, cN). */
export type Exported = Traced | { readonly [output: string]: Traced };

/** What an exporter works with: the graph, where it is in the model, and a way into its children. */
export interface ExportContext {
  readonly graph: OnnxGraph;
  /** The module's dotted path in the model ('' for the model itself). */
  readonly path: string;
  /** Appends a node with one output, named after this module's path. */
  node(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>): string;
  /** Exports child module `name` of this one on `inputs`. */
  child(module: AnyModule, name: string, inputs: readonly Traced[]): Exported;
  /** The single value of an export, or an error naming this module. */
  single(exported: Exported): Traced;
  /** An error naming this module and what it cannot export. */
  fail(reason: string): ValueError;
}

/** Appends the nodes of `module`'s forward on `inputs` and returns its output(s). */
// biome-ignore lint/suspicious/noExplicitAny: each exporter takes its own layer class; the table is keyed by name.
export type LayerExporter<M extends AnyModule = any> = (
  module: M,
  inputs: readonly Traced[],
  ctx: ExportContext,
) => Exported;

const BUILT_IN: Readonly<Record<string, LayerExporter>> = {
  ...activationExporters,
  ...attentionExporters,
  ...containerExporters,
  ...convExporters,
  ...embeddingExporters,
  ...linearExporters,
  ...normalizationExporters,
  ...poolingExporters,
  ...recurrentExporters,
  ...shapeExporters,
  ...zooExporters,
};

const added = new Map<string, LayerExporter>();

/**
 * Teaches `toOnnx` a layer: `name` is the name the layer class is registered under
 * (`registerLayer`). Built-in layers can be overridden this way too.
 */
export function registerOnnxExporter(name: string, exporter: LayerExporter): void {
  if (typeof exporter !== 'function') {
    throw new ValueError(`registerOnnxExporter: expected a function for '${name}', got ${typeof exporter}`);
  }
  added.set(name, exporter);
}

/** The layer names `toOnnx` can export, sorted. */
export function onnxExportableLayers(): string[] {
  return [...new Set([...Object.keys(BUILT_IN), ...added.keys()])].sort();
}

function registeredName(m: AnyModule): string | null {
  try {
    return layerNameOf(m);
  } catch {
    return null;
  }
}

function where(path: string): string {
  return path === '' ? 'the model' : `'${path}'`;
}

/** Exports `module` (at `path` in the model) on `inputs`: the walk's one step. */
export function exportModule(
  graph: OnnxGraph,
  module: AnyModule,
  inputs: readonly Traced[],
  path: string,
): Exported {
  const name = registeredName(module);
  const layer = name ?? module.constructor.name;
  const fail = (reason: string) =>
    new ValueError(`toOnnx: cannot export ${where(path)} (${layer}): ${reason}`);
  const exporter = name === null ? undefined : (added.get(name) ?? BUILT_IN[name]);
  if (!exporter) {
    throw fail(
      `no ONNX exporter for this layer (exportable: ${onnxExportableLayers().join(', ')}; add one with registerOnnxExporter)`,
    );
  }
  const ctx: ExportContext = {
    graph,
    path,
    node: (opType, ins, attributes) => graph.node(opType, ins, attributes, `${path || 'model'}/${opType}`),
    child: (child, childName, ins) =>
      exportModule(graph, child, ins, path ? `${path}.${childName}` : childName),
    single: (exported) => {
      if (isTraced(exported)) return exported;
      throw fail(`expected one output from a sublayer, got ${Object.keys(exported).join(', ')}`);
    },
    fail,
  };
  return exporter(module, inputs, ctx);
}

export function isTraced(e: Exported): e is Traced {
  return typeof (e as Traced).name === 'string' && typeof (e as Traced).sample === 'object';
}
