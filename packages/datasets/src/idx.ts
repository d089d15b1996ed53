import { ValueError } from '@axon/tensor';

/** The contents of an IDX file (the MNIST format): its dims and its unsigned bytes, row-major. */
export interface IdxData {
  shape: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/** True when `bytes` start with the gzip magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an (already decompressed) IDX file of unsigned bytes. `name` (the file) appears in every
 * error: a wrong magic number, an unsupported element type, a truncated or over-long file.
 * Works anywhere (no Node APIs); `data` is a view into `bytes`.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxData {
  if (!(bytes instanceof Uint8Array)) {
    throw new ValueError(`parseIdx: expected the bytes of ${name} as a Uint8Array`);
  }
  if (bytes.length < 4) {
    throw new ValueError(
      `readIdx: ${name} is truncated: expected at least a 4-byte header, got ${bytes.length} bytes`,
    );
  }
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in TYPE_NAMES) || bytes[3] === 0) {
    throw new ValueError(
      `readIdx: ${name} is not an IDX file: wrong magic number ${hex}, expected 0x000008NN (two zero bytes, type 0x08, then the number of dims)`,
    );
  }
  if (bytes[2] !== 0x08) {
    throw new ValueError(
      `readIdx: ${name} holds ${TYPE_NAMES[bytes[2]]} elements (magic ${hex}); only unsigned bytes (type 0x08) are supported`,
    );
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new ValueError(
      `readIdx: ${name} is truncated: expected a ${headerBytes}-byte header for ${rank} dims, got ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    shape.push(n);
    count *= n;
  }
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    throw new ValueError(
      `readIdx: ${name} is truncated: expected ${expected} bytes for dims [${shape.join(', ')}], got ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new ValueError(
      `readIdx: ${name} is corrupt: expected ${expected} bytes for dims [${shape.join(', ')}], got ${bytes.length} (${bytes.length - expected} bytes too many)`,
    );
  }
  return { shape, data: bytes.subarray(headerBytes) };
}

/**
 * Reads an IDX file (raw, or gzip-compressed: detected by its magic bytes 1f 8b, whatever the
 * name). Node only. Errors name the file and say what is wrong.
 */
export async function readIdx(path: string): Promise<IdxData> {
  if (typeof path !== 'string' || path === '') {
    throw new ValueError(`readIdx: expected a file path, got ${String(path)}`);
  }
  return parseIdx(await readMaybeGzip(path, 'readIdx'), path);
}

/** The bytes of a file, gunzipped when it starts with 1f 8b. Node only. */
export async function readMaybeGzip(path: string, what: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new ValueError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (!isGzip(buf)) return buf;
  const { gunzip } = await import('node:zlib');
  return new Promise((resolve, reject) => {
    gunzip(buf, (err, out) => {
      if (err) reject(new ValueError(`${what}: ${path} is a corrupt gzip file: ${err.message}`));
      else resolve(out);
    });
  });
}
