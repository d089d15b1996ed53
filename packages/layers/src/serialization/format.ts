/**
 * The Axon model file, in memory. Layout (format version 2):
 *
 *   'AXON' (4 bytes) | header length L (uint32 LE) | header (L bytes of UTF-8 JSON) | data blob
 *   | checksum (uint32 LE)
 *
 * The checksum is the CRC-32 (zlib's, see crc32.ts) of every byte before it: magic, header length,
 * header and blob. Format 1 files are the same without the checksum; they still load.
 *
 * The header is JSON: `{format: 'axon-model', version: 2, model: LayerSpec, tensors: [{name,
 * shape, dtype, offset, length}], blobLength, extra?}`. `model` is `specOf(model)`; `tensors`
 * lists the state dict entries, then the extra tensors under 'extra/<name>'; offsets and lengths
 * are in bytes, from the start of the blob, which holds each tensor's values little-endian
 * (bool: one byte per element). The header is padded with spaces, and each tensor's offset
 * rounded up, to a multiple of 8 bytes. `extra` is the caller's JSON, stored as is.
 *
 * Reading never evaluates code: the model is rebuilt from its spec through the layer registry
 * (`fromSpec`) and its tensors loaded with a strict `loadStateDict`. Nothing is allocated before
 * the checksum, the header's structure and every tensor's shape, dtype, offset and length have
 * been checked against the blob, and the model is built under an allocation budget of the values
 * the file holds (see allocation.ts), so a corrupt or hostile header fails fast with a
 * ModelFileError instead of allocating what its configs claim. No Node API is used here, so
 * this works in browsers; files.ts adds save/load on top.
 */
import { type DType, defaultGenerator, fmtShape, Tensor, tensor, ValueError } from '@axon/tensor';
import { withAllocationBudget } from '../allocation';
import type { AnyModule, Module } from '../module';
import { fromSpec, type LayerSpec, specOf } from '../registry';
import { crc32, formatCrc32 } from './crc32';

export const FORMAT_NAME = 'axon-model';
export const FORMAT_VERSION = 2;
/** The first version with a checksum after the blob. */
const CHECKSUM_SINCE = 2;
const CHECKSUM_BYTES = 4;
const MAGIC = [0x41, 0x58, 0x4f, 0x4e]; // 'AXON'
const PREAMBLE = 8; // magic + header length
const ALIGN = 8;
const EXTRA_PREFIX = 'extra/';

/** Where a model file came from, for messages, when the caller does not say. */
const DEFAULT_SOURCE = '<model bytes>';

/**
 * A model file that cannot be read or written: corrupt (checksum mismatch, truncated, a header that
 * does not describe its blob), of another format or version, or naming a layer that is not
 * registered. The message starts with the file's name (`source`).
 */
export class ModelFileError extends Error {
  override name = 'ModelFileError';

  constructor(
    /** The file (or the `source` given to fromBytes). */
    readonly source: string,
    /** What went wrong, without the file name. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${reason}`, options);
  }
}

/** One entry of the header's `tensors`. */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: DType;
  /** Bytes from the start of the blob. */
  offset: number;
  /** Bytes: size · bytes per element. */
  length: number;
}

export interface ModelFileHeader {
  format: typeof FORMAT_NAME;
  version: number;
  model: LayerSpec;
  tensors: TensorEntry[];
  /** Bytes of the data blob (with padding). */
  blobLength: number;
  extra?: unknown;
}

export interface ModelExtra {
  /** Any JSON (a training loop's epoch, optimizer settings, ...). */
  json?: unknown;
  /** Tensors saved beside the model (optimizer buffers, ...). */
  tensors?: Record<string, Tensor>;
}

export interface ToBytesOptions {
  extra?: ModelExtra;
}

/** What `load` / `fromBytes` return: the rebuilt model, and what was saved beside it. */
export interface LoadedModel<M extends AnyModule = Module> {
  /** The model, rebuilt from its spec with its saved parameters and buffers, in training mode. */
  model: M;
  /** `options.extra` as given to save/toBytes (`tensors` is `{}` when none were saved). */
  extra: { json?: unknown; tensors: Record<string, Tensor> };
}

const BYTES_PER_ELEMENT: Record<DType, number> = { float64: 8, float32: 4, int32: 4, bool: 1 };

function bytesPerElement(dtype: DType): number {
  return BYTES_PER_ELEMENT[dtype];
}

function isDType(v: unknown): v is DType {
  return typeof v === 'string' && Object.hasOwn(BYTES_PER_ELEMENT, v);
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** A tensor's values as little-endian bytes. */
function tensorBytes(t: Tensor): Uint8Array {
  const values = t.dataSync();
  if (LITTLE_ENDIAN_HOST || values.BYTES_PER_ELEMENT === 1) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float64Array) view.setFloat64(i * 8, values[i], true);
    else if (values instanceof Float32Array) view.setFloat32(i * 4, values[i], true);
    else view.setInt32(i * 4, values[i], true);
  }
  return out;
}

/** Little-endian bytes (a fresh, aligned copy) as a typed array of `dtype`. */
function typedFromBytes(bytes: Uint8Array, dtype: DType) {
  const copy = bytes.slice();
  if (dtype === 'bool') return copy;
  if (LITTLE_ENDIAN_HOST) {
    if (dtype === 'float64') return new Float64Array(copy.buffer);
    if (dtype === 'float32') return new Float32Array(copy.buffer);
    return new Int32Array(copy.buffer);
  }
  const view = new DataView(copy.buffer);
  const n = copy.byteLength / bytesPerElement(dtype);
  if (dtype === 'float64') return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  if (dtype === 'float32') return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
  return Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
}

/**
 * Serializes `model` (its spec and state dict) and optional extras into one model file's bytes.
 * The model's layers, and every layer inside it, must be registered (see registerLayer).
 */
export function toBytes(model: AnyModule, options: ToBytesOptions = {}): Uint8Array {
  const spec = specOf(model);
  const entries: [string, Tensor][] = Object.entries(model.stateDict());
  for (const [name] of entries) {
    if (name.startsWith(EXTRA_PREFIX)) {
      throw new ValueError(
        `toBytes: state dict name '${name}' starts with '${EXTRA_PREFIX}', which model files keep for extra tensors`,
      );
    }
  }
  const extra = options.extra ?? {};
  for (const [name, t] of Object.entries(extra.tensors ?? {})) {
    if (!name) throw new ValueError('toBytes: an extra tensor has an empty name');
    if (!(t instanceof Tensor) || t.isDisposed) {
      throw new ValueError(`toBytes: extra tensor '${name}' is not a live Tensor`);
    }
    entries.push([EXTRA_PREFIX + name, t]);
  }

  const chunks: Uint8Array[] = [];
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const data = tensorBytes(t);
    tensors.push({ name, shape: [...t.shape], dtype: t.dtype, offset, length: data.byteLength });
    chunks.push(data);
    offset = alignUp(offset + data.byteLength);
  }
  const blobLength = offset;
  const header: ModelFileHeader = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    model: spec,
    tensors,
    blobLength,
  };
  if (extra.json !== undefined) header.extra = extra.json;

  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = alignUp(PREAMBLE + json.byteLength) - PREAMBLE;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20); // trailing spaces: still the same JSON
    p.set(json);
    json = p;
  }

  const out = new Uint8Array(PREAMBLE + json.byteLength + blobLength + CHECKSUM_BYTES);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.byteLength, true);
  out.set(json, PREAMBLE);
  const blobStart = PREAMBLE + json.byteLength;
  for (const [i, e] of tensors.entries()) out.set(chunks[i], blobStart + e.offset);
  const end = out.length - CHECKSUM_BYTES;
  new DataView(out.buffer).setUint32(end, crc32(out.subarray(0, end)), true);
  return out;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** A header value as JSON, cut short: header fields are data, shown as they are in the file. */
function jsonSnippet(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Checks the parsed header's structure; returns it typed. */
function checkHeader(fail: (reason: string) => never, h: unknown): ModelFileHeader {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) fail('header is not a JSON object');
  const header = h as Record<string, unknown>;
  if (header.format !== FORMAT_NAME) {
    fail(
      `not an Axon model file (header format is ${jsonSnippet(header.format)}, expected '${FORMAT_NAME}')`,
    );
  }
  const version = header.version;
  if (!isNonNegInt(version) || version < 1) fail(`unsupported format version ${jsonSnippet(version)}`);
  if (version > FORMAT_VERSION) {
    fail(`written by a newer Axon: format version ${version}, this reads ${FORMAT_VERSION}`);
  }
  const model = header.model as Record<string, unknown> | undefined;
  if (
    typeof model !== 'object' ||
    model === null ||
    typeof model.type !== 'string' ||
    typeof model.config !== 'object' ||
    model.config === null
  ) {
    fail(`header 'model' must be {type: string, config: object}, got ${jsonSnippet(model)}`);
  }
  if (!isNonNegInt(header.blobLength))
    fail(`header 'blobLength' must be a byte count, got ${jsonSnippet(header.blobLength)}`);
  if (!Array.isArray(header.tensors))
    fail(`header 'tensors' must be an array, got ${jsonSnippet(header.tensors)}`);
  const seen = new Set<string>();
  for (const [i, raw] of (header.tensors as unknown[]).entries()) {
    const e = raw as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || !e.name) {
      fail(`tensor entry ${i} has no name: ${jsonSnippet(raw)}`);
    }
    const name = e.name as string;
    if (seen.has(name)) fail(`tensor '${name}' is listed twice`);
    seen.add(name);
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) {
      fail(`tensor '${name}' has an invalid shape ${jsonSnippet(e.shape)}`);
    }
    if (!isDType(e.dtype)) fail(`tensor '${name}' has an unknown dtype ${jsonSnippet(e.dtype)}`);
    if (!isNonNegInt(e.offset) || !isNonNegInt(e.length)) {
      fail(`tensor '${name}' has an invalid offset/length ${jsonSnippet(e.offset)}/${jsonSnippet(e.length)}`);
    }
  }
  return header as unknown as ModelFileHeader;
}

/**
 * Checks the checksum after the blob: the CRC-32 of everything before it. When it does not match
 * but the header was read and says how long the file should be, a length that differs is
 * reported instead (a truncated file is clearer said so).
 */
function checkChecksum(
  fail: (reason: string) => never,
  bytes: Uint8Array,
  expectedLength: number | null,
): void {
  const describeLength = (): void => {
    if (expectedLength === null || bytes.length === expectedLength) return;
    if (bytes.length < expectedLength)
      fail(`truncated data (expected ${expectedLength} bytes, got ${bytes.length})`);
    fail(`unexpected bytes after the data (expected ${expectedLength} bytes, got ${bytes.length})`);
  };
  if (bytes.length < CHECKSUM_BYTES + PREAMBLE) {
    describeLength();
    fail(`truncated file (${bytes.length} bytes, too short to hold a checksum)`);
  }
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored === actual) return;
  describeLength();
  fail(
    `checksum mismatch: the file records CRC-32 ${formatCrc32(stored)}, its contents give ${formatCrc32(actual)} (the file is corrupt or was changed after it was written)`,
  );
}

/** A function that throws the ModelFileError of `source`. */
function failWith(source: string): (reason: string, cause?: unknown) => never {
  return (reason, cause) => {
    throw new ModelFileError(source, reason, cause === undefined ? undefined : { cause });
  };
}

/**
 * Checks the magic bytes and the header's extent, and parses the header: where the blob starts,
 * and the parsed JSON or the error that parsing it gave (reported by the caller, when it chooses).
 */
function readPreamble(
  fail: (reason: string) => never,
  bytes: Uint8Array,
): { blobStart: number; parsed: unknown; parseError: unknown } {
  if (!(bytes instanceof Uint8Array))
    fail(`expected the file's bytes as a Uint8Array, got ${jsonSnippet(bytes)}`);
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not an Axon model file (it does not start with the magic bytes "AXON")');
  }
  if (bytes.length < PREAMBLE) {
    fail(`truncated header (expected at least ${PREAMBLE} bytes, got ${bytes.length})`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const blobStart = PREAMBLE + headerLength;
  if (bytes.length < blobStart) fail(`truncated header (expected ${blobStart} bytes, got ${bytes.length})`);
  let parsed: unknown;
  let parseError: unknown = null;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, blobStart));
    parsed = JSON.parse(text);
  } catch (e) {
    parseError = e;
  }
  return { blobStart, parsed, parseError };
}

/**
 * Reads a model file's bytes: checks them (checksum, header, every tensor's extent against the
 * blob), rebuilds the model from its spec (through the layer registry, so every layer's package
 * must have been imported) and loads its state dict strictly. Returns `{ model, extra }`: the
 * model, and what was saved beside it. `source` (a file name) starts every error message; every
 * error is a ModelFileError. Format 1 files (no checksum) are read too. The global random stream
 * (`manualSeed`'s) is left as it was.
 */
export function fromBytes<M extends AnyModule = Module>(
  bytes: Uint8Array,
  source: string = DEFAULT_SOURCE,
): LoadedModel<M> {
  const fail = failWith(source);
  // The header is parsed first only to learn the format version (format 1 has no checksum); any
  // problem with it is reported after the checksum has been checked, since a corrupt byte
  // explains it best.
  const { blobStart, parsed, parseError } = readPreamble(fail, bytes);
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const blobLength = isNonNegInt(fields.blobLength) ? fields.blobLength : null;
  const version = fields.version;
  const newer = isNonNegInt(version) && version > FORMAT_VERSION;
  const v1Length = blobLength === null ? null : blobStart + blobLength;
  const v2Length = v1Length === null ? null : v1Length + CHECKSUM_BYTES;
  // A format-1 header on a file 4 bytes longer than format 1 would be is a format-2 file whose
  // version digit changed: its checksum says so.
  const withChecksum = !newer && !(version === 1 && parseError === null && bytes.length !== v2Length);
  if (withChecksum) checkChecksum(fail, bytes, v2Length);
  if (parseError !== null) {
    fail(`header is not valid JSON (${(parseError as Error).message})`, parseError);
  }
  const header = checkHeader(fail, parsed);

  const expected = blobStart + header.blobLength + (header.version >= CHECKSUM_SINCE ? CHECKSUM_BYTES : 0);
  if (bytes.length < expected) fail(`truncated data (expected ${expected} bytes, got ${bytes.length})`);
  if (bytes.length > expected) {
    fail(`unexpected bytes after the data (expected ${expected} bytes, got ${bytes.length})`);
  }
  let stateElements = 0;
  for (const e of header.tensors) {
    if (e.offset + e.length > header.blobLength) {
      fail(
        `tensor '${e.name}' (offset ${e.offset}, length ${e.length}) runs past the end of the data (${header.blobLength} bytes)`,
      );
    }
    const elements = e.shape.reduce((n, d) => n * d, 1);
    const want = elements * bytesPerElement(e.dtype);
    if (e.length !== want) {
      fail(
        `tensor '${e.name}' of shape ${fmtShape(e.shape)} and dtype ${e.dtype} needs ${want} bytes, but its length is ${e.length}`,
      );
    }
    if (!e.name.startsWith(EXTRA_PREFIX)) stateElements += elements;
  }

  let model: M;
  // Building draws every layer's initial weights from the default generator, and the file's
  // tensors replace them: the generator's state is put back, so loading a model mid-run (a
  // classifier that scores samples, say) leaves what the run draws next as it was.
  const rng = defaultGenerator();
  const rngState = rng.getState();
  try {
    // Layer constructors may allocate no more than the file holds (see allocation.ts).
    model = withAllocationBudget(stateElements, () => fromSpec(header.model)) as M;
  } catch (e) {
    return fail(`cannot rebuild the model: ${(e as Error).message}`, e);
  } finally {
    rng.setState(rngState);
  }

  const state: Record<string, Tensor> = {};
  const extraTensors: Record<string, Tensor> = {};
  try {
    for (const e of header.tensors) {
      const data = typedFromBytes(
        bytes.subarray(blobStart + e.offset, blobStart + e.offset + e.length),
        e.dtype,
      );
      const t = tensor(data, { shape: e.shape, dtype: e.dtype });
      if (e.name.startsWith(EXTRA_PREFIX)) extraTensors[e.name.slice(EXTRA_PREFIX.length)] = t;
      else state[e.name] = t;
    }
    try {
      model.loadStateDict(state);
    } catch (e) {
      fail(`the tensors do not fit the model: ${(e as Error).message}`, e);
    }
  } catch (e) {
    model.dispose();
    for (const t of Object.values(extraTensors)) t.dispose();
    throw e;
  } finally {
    for (const t of Object.values(state)) t.dispose();
  }

  const extra: LoadedModel<M>['extra'] = { tensors: extraTensors };
  if ('extra' in header) extra.json = header.extra;
  return { model, extra };
}

/** What {@link inspectModelFile} reads from a model file without rebuilding the model. */
export interface ModelFileInspection {
  /** The header, checked for structure (format, version, model spec, tensor entries). */
  header: ModelFileHeader;
  /**
   * 'ok'; 'mismatch' when the recorded CRC-32 differs from the contents' (the file was damaged or
   * changed after it was written, or is truncated); 'absent' for format 1, which has none.
   */
  checksum: 'ok' | 'mismatch' | 'absent';
  /** The CRC-32 the file records and the one its contents give, as 8 hex digits (when there is one). */
  storedChecksum?: string;
  actualChecksum?: string;
  /** The file's length, and the length its header implies. */
  byteLength: number;
  expectedLength: number;
}

/**
 * Reads a model file's header and checks its checksum without rebuilding the model or reading a
 * tensor: for tools that describe a file (`axon info`), including one that `fromBytes` refuses
 * because its checksum no longer matches. A file whose header cannot be read (not an Axon file, a
 * truncated or malformed header) is a ModelFileError naming `source`.
 */
export function inspectModelFile(bytes: Uint8Array, source: string = DEFAULT_SOURCE): ModelFileInspection {
  const fail = failWith(source);
  const { blobStart, parsed, parseError } = readPreamble(fail, bytes);
  if (parseError !== null) fail(`header is not valid JSON (${(parseError as Error).message})`, parseError);
  const header = checkHeader(fail, parsed);
  const hasChecksum = header.version >= CHECKSUM_SINCE;
  const expectedLength = blobStart + header.blobLength + (hasChecksum ? CHECKSUM_BYTES : 0);
  const lengths = { byteLength: bytes.length, expectedLength };
  if (!hasChecksum) return { header, checksum: 'absent', ...lengths };
  if (bytes.length < blobStart + CHECKSUM_BYTES) return { header, checksum: 'mismatch', ...lengths };
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  return {
    header,
    checksum: stored === actual ? 'ok' : 'mismatch',
    storedChecksum: formatCrc32(stored),
    actualChecksum: formatCrc32(actual),
    ...lengths,
  };
}
