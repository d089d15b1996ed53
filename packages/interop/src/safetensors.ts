/**
 * safetensors files (Hugging Face's format for PyTorch weights): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?:
 * {string: string}}`, then the raw little-endian values, offsets counted from the end of the
 * header. Nothing in a file is ever run: it is numbers and JSON, checked before any tensor is made.
 *
 * Written here rather than taken from npm: no small, maintained JavaScript reader/writer exists
 * (the registry has none under that name), and the format is this one paragraph. Reading converts
 * to Axon's dtypes: F32/F64 stay, F16/BF16 become float32, integer types int32 (I64/U32 checked to
 * fit), BOOL bool. Writing keeps float32, float64, int32 and bool as F32, F64, I32 and BOOL.
 */
import { ModelFileError } from '@axon/layers';
import { type DType, fmtShape, type Tensor, tensor } from '@axon/tensor';
import { readFileBytes, writeFileAtomic } from './files';

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  /** The file's `__metadata__` (string to string). */
  metadata: Record<string, string>;
}

/** Bytes per element of each stored dtype, and how each one is read into Axon. */
const STORED = {
  F64: { bytes: 8, dtype: 'float64' },
  F32: { bytes: 4, dtype: 'float32' },
  F16: { bytes: 2, dtype: 'float32' },
  BF16: { bytes: 2, dtype: 'float32' },
  I64: { bytes: 8, dtype: 'int32' },
  I32: { bytes: 4, dtype: 'int32' },
  U32: { bytes: 4, dtype: 'int32' },
  I16: { bytes: 2, dtype: 'int32' },
  U16: { bytes: 2, dtype: 'int32' },
  I8: { bytes: 1, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'int32' },
  BOOL: { bytes: 1, dtype: 'bool' },
} as const satisfies Record<string, { bytes: number; dtype: DType }>;
type StoredDType = keyof typeof STORED;

const WRITTEN: Record<DType, StoredDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** A header larger than this is refused before it is parsed (real ones are kilobytes). */
const MAX_HEADER_BYTES = 100_000_000;

/** The safetensors bytes of `tensors` (by name), with optional string metadata. */
export function toSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const values = t.dataSync();
    const bytes =
      t.dtype === 'bool'
        ? Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0))
        : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = {
      dtype: WRITTEN[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // data starts 8-aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Reads safetensors bytes; `source` names them in errors (a file path, say). A malformed file is a
 * ModelFileError (@axon/layers' error for weight files) naming the source and the tensor.
 */
export function fromSafetensors(bytes: Uint8Array, source = '<safetensors bytes>'): SafetensorsContents {
  const fail = (reason: string): never => {
    throw new ModelFileError(source, reason);
  };
  if (bytes.length < 8) fail(`too short for a safetensors file (${bytes.length} bytes)`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerBytes > BigInt(Math.min(bytes.length - 8, MAX_HEADER_BYTES))) {
    fail(`header length ${headerBytes} does not fit in the file (${bytes.length} bytes)`);
  }
  const n = Number(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    return fail(`the header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('the header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const tensors: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    tensors[name] = readTensor(name, entry, data, fail);
  }
  return { tensors, metadata };
}

function readTensor(name: string, entry: unknown, data: Uint8Array, fail: (reason: string) => never): Tensor {
  const e = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const stored = STORED[e.dtype as StoredDType];
  if (typeof e.dtype !== 'string' || !stored || !Object.hasOwn(STORED, e.dtype)) {
    fail(
      `tensor '${name}' has dtype ${JSON.stringify(e.dtype)}, expected one of ${Object.keys(STORED).join(', ')}`,
    );
  }
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}' has shape ${JSON.stringify(shape)}, expected a list of integers >= 0`);
  }
  const dims = shape as number[];
  const offsets = e.data_offsets;
  const size = dims.reduce((a, d) => a * d, 1);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o)) ||
    offsets[0] < 0 ||
    offsets[1] < offsets[0] ||
    offsets[1] > data.length
  ) {
    fail(
      `tensor '${name}' has data_offsets ${JSON.stringify(offsets)} outside the ${data.length} data bytes`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end - begin !== size * stored.bytes) {
    fail(
      `tensor '${name}' ${e.dtype} ${fmtShape(dims)} needs ${size * stored.bytes} bytes, its data_offsets give ${end - begin}`,
    );
  }
  // A copy, aligned for the typed array (the file's offsets need not be).
  const raw = data.slice(begin, end).buffer;
  const values = decode(e.dtype as StoredDType, raw, name, fail);
  return tensor(values, { dtype: stored.dtype, shape: dims });
}

function decode(
  dtype: StoredDType,
  raw: ArrayBuffer,
  name: string,
  fail: (reason: string) => never,
): Float32Array | Float64Array | Int32Array | Uint8Array {
  switch (dtype) {
    case 'F64':
      return new Float64Array(raw);
    case 'F32':
      return new Float32Array(raw);
    case 'F16':
      return Float32Array.from(new Uint16Array(raw), halfToFloat);
    case 'BF16':
      return Float32Array.from(
        new Uint16Array(raw),
        (b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0],
      );
    case 'I64':
    case 'U32': {
      const wide = dtype === 'I64' ? new BigInt64Array(raw) : new Uint32Array(raw);
      const out = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = Number(wide[i]);
        if (v < -2147483648 || v > 2147483647) fail(`tensor '${name}' ${dtype} holds ${v}, outside int32`);
        out[i] = v;
      }
      return out;
    }
    case 'I32':
      return new Int32Array(raw);
    case 'I16':
      return Int32Array.from(new Int16Array(raw));
    case 'U16':
      return Int32Array.from(new Uint16Array(raw));
    case 'I8':
      return Int32Array.from(new Int8Array(raw));
    case 'U8':
      return Int32Array.from(new Uint8Array(raw));
    case 'BOOL':
      return new Uint8Array(raw);
  }
}

/** IEEE 754 half precision bits → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** `toSafetensors`, written to `path` atomically. */
export async function saveSafetensors(
  path: string,
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await writeFileAtomic('saveSafetensors', path, toSafetensors(tensors, metadata));
}

/** Reads the safetensors file at `path`; errors are ModelFileErrors naming the file and the tensor. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  return fromSafetensors(await readFileBytes('loadSafetensors', path), path);
}
