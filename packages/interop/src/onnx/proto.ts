/**
 * ONNX models as plain objects, and their protobuf bytes through protobufjs (see schema.ts). The
 * objects use the schema's own field names (snake_case), so that what the exporters build reads
 * like the ONNX spec; protobufjs checks and encodes them.
 */
import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './schema';

/** TensorProto.DataType values Axon writes. */
export const ONNX_DTYPES = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
export type OnnxDType = keyof typeof ONNX_DTYPES;

export interface TensorObject {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export type AttributeValue =
  | { f: number }
  | { i: number }
  | { floats: number[] }
  | { ints: number[] }
  | { s: string }
  | { strings: string[] };

export interface AttributeObject {
  name: string;
  type: 'FLOAT' | 'INT' | 'FLOATS' | 'INTS' | 'STRING' | 'STRINGS';
  f?: number;
  i?: number;
  floats?: number[];
  ints?: number[];
  s?: Uint8Array;
  strings?: Uint8Array[];
}

export interface NodeObject {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeObject[];
}

/** A dimension: a size, or a name for a size known only at run time ('batch'). */
export type Dim = number | string;

export interface ValueInfoObject {
  name: string;
  type: {
    tensor_type: { elem_type: number; shape?: { dim: ({ dim_value: number } | { dim_param: string })[] } };
  };
}

export interface ModelObject {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: {
    name: string;
    node: NodeObject[];
    initializer: TensorObject[];
    input: ValueInfoObject[];
    output: ValueInfoObject[];
  };
  metadata_props?: { key: string; value: string }[];
}

let modelType: protobuf.Type | null = null;

/** The ModelProto type, parsed once on first use. */
function modelProto(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

export function attribute(name: string, value: AttributeValue): AttributeObject {
  if ('f' in value) return { name, type: 'FLOAT', f: value.f };
  if ('i' in value) return { name, type: 'INT', i: value.i };
  if ('floats' in value) return { name, type: 'FLOATS', floats: value.floats };
  if ('ints' in value) return { name, type: 'INTS', ints: value.ints };
  const utf8 = (text: string) => new TextEncoder().encode(text);
  if ('strings' in value) return { name, type: 'STRINGS', strings: value.strings.map(utf8) };
  return { name, type: 'STRING', s: utf8(value.s) };
}

export function valueInfo(name: string, dtype: OnnxDType, shape: readonly Dim[] | null): ValueInfoObject {
  const tensorType: ValueInfoObject['type']['tensor_type'] = { elem_type: ONNX_DTYPES[dtype] };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })),
    };
  }
  return { name, type: { tensor_type: tensorType } };
}

/** The protobuf bytes of a model (a malformed object is an error naming the field). */
export function encodeModel(model: ModelObject): Uint8Array {
  const type = modelProto();
  const message = type.fromObject(model);
  const problem = type.verify(message);
  if (problem) throw new Error(`encodeModel: not a valid ONNX ModelProto: ${problem}`);
  return type.encode(message).finish();
}

/** A model's bytes back as a plain object (int64 fields as numbers, enums as names), e.g. to inspect an export. */
export function decodeModel(bytes: Uint8Array): ModelObject {
  const type = modelProto();
  return type.toObject(type.decode(bytes), { longs: Number, enums: String, arrays: true }) as ModelObject;
}
