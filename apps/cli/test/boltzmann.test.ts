// `axon train rbm` and `axon train dbn` on a few MNIST digits, then `info`, `eval` (an RBM's
// reconstruction error, free energy and pseudo-likelihood; a DBN's reconstruction error per layer)
// and `sample` (an RBM's Gibbs chains from test digits, a DBN's generated digits) on the files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { axon, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** The width and height of a PNG (its IHDR). */
function pngSize(path: string): [number, number] {
  const png = readFileSync(path);
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}
/** The side of k images of 28 pixels scaled 2x, with 2 pixels of padding between and around. */
const side = (k: number) => k * 56 + (k + 1) * 2;

describe('rbm and dbn', () => {
  it('trains an RBM, describes, scores and samples it', async () => {
    const out = join(tmp.dir, 'rbm');
    const train = await axon('train', 'rbm', '--epochs', '1', '--limit', '200', '--out', out);
    expect(train.err).toBe('');
    expect(train.code).toBe(0);
    expect(train.out).toContain(
      'rbm on binarized-mnist: 200 train and 200 test examples; 1 epoch, batch 100',
    );
    expect(train.out).toMatch(/test {2}recon \d+\.\d+ {2}free_energy -?\d+\.\d+ {2}pseudo_ll -\d+\.\d+/);
    const file = join(out, 'rbm.axon');

    const info = await axon('info', file);
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      RBM, read as rbm');
    expect(info.out).toContain('tensors    3 tensors, 393,284 values');

    const scored = await axon('eval', file, '--limit', '100', '--json');
    expect(scored.code).toBe(0);
    const logs = JSON.parse(scored.out);
    expect(logs).toMatchObject({ model: 'rbm', data: 'binarized-mnist', examples: 100 });
    for (const key of ['recon', 'free_energy', 'pseudo_ll'])
      expect(Number.isFinite(logs[key]), key).toBe(true);

    // Two chains of 8 frames (a test digit, then every 100 Gibbs steps).
    const sample = await axon('sample', file, '--n', '16', '--out', join(tmp.dir, 'chains'));
    expect(sample.code).toBe(0);
    expect(sample.out).toContain('(16 images from a rbm model)');
    expect(pngSize(join(tmp.dir, 'chains.png'))).toEqual([side(8), side(2)]);
  }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine

  it('pretrains a DBN layer by layer, describes, scores and samples it', async () => {
    const out = join(tmp.dir, 'dbn');
    const train = await axon('train', 'dbn', '--epochs', '1', '--limit', '100', '--out', out);
    expect(train.err).toBe('');
    expect(train.code).toBe(0);
    expect(train.out).toContain('RBM 1 (784-500), 1 epoch  recon_1 ');
    expect(train.out).toContain('RBM 3 (500-2000), 1 epoch  recon_3 ');
    expect(train.out).toMatch(/test {2}recon_1 \d+\.\d+ {2}recon_2 \d+\.\d+ {2}recon_3 \d+\.\d+/);
    const file = join(out, 'dbn.axon');

    const info = await axon('info', file);
    expect(info.code).toBe(0);
    expect(info.out).toContain('model      DBN, read as dbn');
    expect(info.out).toContain('Total params: 1,646,784');

    const scored = await axon('eval', file, '--limit', '50');
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(
      /^dbn on mnist test \(50 examples\): recon_1 \d+\.\d+ {2}recon_2 \d+\.\d+ {2}recon_3 \d+\.\d+\n$/,
    );

    const sample = await axon('sample', file, '--n', '4', '--out', join(tmp.dir, 'digits'));
    expect(sample.code).toBe(0);
    expect(pngSize(join(tmp.dir, 'digits.png'))).toEqual([side(2), side(2)]);
  }, 180_000); // a whole train/eval/sample cycle: seconds idle, room for a loaded machine
});
