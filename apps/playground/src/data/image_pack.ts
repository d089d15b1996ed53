/**
 * The bundled image subsets' file format: small enough to ship with the page (2,500 MNIST images
 * are 2 MB as bytes, against 7.7 MB as float32) and read with one `fetch` of a same-origin static
 * asset, so the playground works offline. scripts/export-data.ts writes it at build time from the
 * data packages (Node); the page reads it (browser). Little-endian:
 *
 *     'AXIM'  u32 version (1)  u32 count  u32 rows  u32 cols  u32 trainCount
 *     count·rows·cols image bytes (0..255, row-major, NCHW with C = 1)   count label bytes (0..9)
 *
 * The first `trainCount` images are the training split, the rest the test split.
 */

const MAGIC = 'AXIM';
const VERSION = 1;
const HEADER_BYTES = 24;

/** Grey images as bytes, with their labels; the first `trainCount` are for training. */
export interface ImagePack {
  count: number;
  rows: number;
  cols: number;
  trainCount: number;
  /** count · rows · cols values, 0..255. */
  pixels: Uint8Array;
  /** count labels. */
  labels: Uint8Array;
}

/** The pack's bytes (see the file comment). Pixels in [0, 1] floats are rounded to bytes. */
export function encodeImagePack(pack: ImagePack): Uint8Array {
  const { count, rows, cols, trainCount, pixels, labels } = pack;
  const size = rows * cols;
  if (pixels.length !== count * size || labels.length !== count || trainCount > count) {
    throw new Error(
      `encodeImagePack: expected ${count * size} pixels and ${count} labels (trainCount ≤ count), got ${pixels.length}, ${labels.length}, ${trainCount}`,
    );
  }
  const out = new Uint8Array(HEADER_BYTES + count * size + count);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MAGIC.charCodeAt(i);
  for (const [i, v] of [VERSION, count, rows, cols, trainCount].entries()) view.setUint32(4 + 4 * i, v, true);
  out.set(pixels, HEADER_BYTES);
  out.set(labels, HEADER_BYTES + count * size);
  return out;
}

/** Reads a pack written by `encodeImagePack`; throws naming what is wrong with the bytes. */
export function decodeImagePack(bytes: Uint8Array): ImagePack {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) {
    throw new Error(`not an image pack (expected the magic '${MAGIC}', got '${magic}')`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, count, rows, cols, trainCount] = [0, 1, 2, 3, 4].map((i) =>
    view.getUint32(4 + 4 * i, true),
  );
  if (version !== VERSION)
    throw new Error(`image pack version ${version} is not supported (expected ${VERSION})`);
  const size = rows * cols;
  const expected = HEADER_BYTES + count * size + count;
  if (bytes.length !== expected || trainCount > count) {
    throw new Error(
      `image pack of ${count} ${rows}×${cols} images should be ${expected} bytes, got ${bytes.length}`,
    );
  }
  const pixels = bytes.slice(HEADER_BYTES, HEADER_BYTES + count * size);
  const labels = bytes.slice(HEADER_BYTES + count * size);
  return { count, rows, cols, trainCount, pixels, labels };
}
