/**
 * An ONNX graph under construction: nodes in topological order (each exporter appends the nodes of
 * its layer after those of its inputs) and initializers (weights and constants). Names are made
 * unique here, so exporters only give hints; a model tensor becomes one initializer named by its
 * state-dict path, however many layers use it (tied weights stay tied).
 */
import { type Tensor, ValueError } from '@axon/tensor';
import {
  type AttributeValue,
  attribute,
  type NodeObject,
  ONNX_DTYPES,
  type OnnxDType,
  type TensorObject,
} from './proto';

/** A copy of the bytes of typed values (little-endian on every platform Node and browsers run on). */
function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

export class OnnxGraph {
  readonly nodes: NodeObject[] = [];
  readonly initializers: TensorObject[] = [];
  private readonly names = new Set<string>();
  private readonly tensorNames = new Map<Tensor, string>();

  constructor(
    /** The opset the exporters write for. */
    readonly opset: number,
    /** The model's state dict: its tensors are named by their paths. */
    private readonly stateNames: ReadonlyMap<Tensor, string> = new Map(),
  ) {}

  /** A name not used yet, made from `hint` ('x' → 'x', 'x_1', ...). */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name given from outside (a graph input); a clash is an error. */
  claim(name: string): string {
    if (this.names.has(name)) throw new ValueError(`toOnnx: the name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  /** The initializer holding a model tensor (created on first use, named by its state-dict path). */
  param(t: Tensor): string {
    const known = this.tensorNames.get(t);
    if (known) return known;
    const name = this.tensorConst(t, this.hintFor(t));
    this.tensorNames.set(t, name);
    return name;
  }

  /** A name hint for a tensor: its state-dict path, when it is one of the model's. */
  hintFor(t: Tensor): string {
    return this.stateNames.get(t) ?? 'weight';
  }

  /** An initializer with the values of an Axon tensor (e.g. a weight rearranged for ONNX). */
  tensorConst(t: Tensor, hint: string): string {
    return this.constant(t.dataSync() as ArrayLike<number>, t.shape, t.dtype, hint);
  }

  /** An initializer from plain values. int64 values are given as numbers (they must be safe integers). */
  constant(
    values: ArrayLike<number> | ArrayLike<boolean>,
    dims: readonly number[],
    dtype: OnnxDType,
    hint = 'const',
  ): string {
    const n = dims.reduce((a, d) => a * d, 1);
    if (values.length !== n) {
      throw new ValueError(
        `toOnnx: constant '${hint}' has ${values.length} values for dims [${dims.join(', ')}]`,
      );
    }
    const numbers = values as ArrayLike<number>;
    let raw: Uint8Array;
    if (dtype === 'bool') raw = Uint8Array.from(numbers, (v) => (v ? 1 : 0));
    else if (dtype === 'int64') raw = bytesOf(BigInt64Array.from(numbers, (v) => BigInt(v)));
    else {
      // A tensor's own typed array is copied as it is; plain numbers are converted first.
      const Typed = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[dtype];
      raw = bytesOf(numbers instanceof Typed ? numbers : Typed.from(numbers));
    }
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...dims], data_type: ONNX_DTYPES[dtype], raw_data: raw });
    return name;
  }

  /** An int64 vector constant (shapes, axes, indices), the form ONNX takes them in. */
  ints(values: readonly number[], hint = 'ints'): string {
    return this.constant(values, [values.length], 'int64', hint);
  }

  /** A scalar constant of `dtype`. */
  scalar(value: number, dtype: OnnxDType, hint = 'scalar'): string {
    return this.constant([value], [], dtype, hint);
  }

  /**
   * Appends a node; returns its output names (`outputs` of them, named from `hint`). An input ''
   * stands for an optional input left out.
   */
  nodeN(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputs = 1,
    hint = opType,
  ): string[] {
    const out = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({
      name: this.fresh(`${hint}_node`),
      op_type: opType,
      input: [...inputs],
      output: out,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** An Identity node from `value` to a value named exactly `name` (a graph output); returns `name`. */
  rename(value: string, name: string): string {
    this.claim(name);
    this.nodes.push({
      name: this.fresh(`${name}_identity`),
      op_type: 'Identity',
      input: [value],
      output: [name],
      attribute: [],
    });
    return name;
  }

  /** Appends a node with one output; returns its name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes?: Record<string, AttributeValue>,
    hint?: string,
  ): string {
    return this.nodeN(opType, inputs, attributes, 1, hint)[0];
  }
}
