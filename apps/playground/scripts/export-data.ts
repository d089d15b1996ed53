/**
 * Writes the image subsets the playground bundles (public/data/*.axim, git-ignored) from the data
 * packages that @axon/datasets reads: the page must never fetch data from the internet, and
 * the full sets (55 MB each as IDX) are far too large to ship. Run before `vite` and `vite build`
 * (the package's `dev` and `build` scripts); it does nothing when the files are already there.
 *
 *   tsx --conditions=source scripts/export-data.ts [--force]
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fashionMnist, mnist, type TensorDataset } from '@axon/datasets';
import { encodeImagePack } from '../src/data/image_pack';
import { IMAGE_SETS } from '../src/data/image_sets';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'data');
const force = process.argv.includes('--force');

/** x [N, 1, H, W] in [0, 1] → bytes; y [N] → bytes. */
function toBytes(ds: TensorDataset): { pixels: Uint8Array; labels: Uint8Array } {
  const x = ds.x.dataSync();
  const y = ds.y.dataSync();
  return {
    pixels: Uint8Array.from(x, (v) => Math.round(v * 255)),
    labels: Uint8Array.from(y),
  };
}

await mkdir(OUT, { recursive: true });
for (const set of IMAGE_SETS) {
  const file = join(OUT, set.file);
  if (existsSync(file) && !force) continue;
  const load = set.id === 'mnist' ? mnist : fashionMnist;
  const train = toBytes(await load('train', { limit: set.trainCount }));
  const test = toBytes(await load('test', { limit: set.testCount }));
  const count = set.trainCount + set.testCount;
  const pixels = new Uint8Array(count * 28 * 28);
  pixels.set(train.pixels);
  pixels.set(test.pixels, train.pixels.length);
  const labels = new Uint8Array(count);
  labels.set(train.labels);
  labels.set(test.labels, set.trainCount);
  const bytes = encodeImagePack({ count, rows: 28, cols: 28, trainCount: set.trainCount, pixels, labels });
  await writeFile(file, bytes);
  console.log(`wrote ${file} (${count} images, ${(bytes.length / 1e6).toFixed(1)} MB)`);
}
