// `axon sample` on generative models: a VAE trained by `axon train` (which leaves a grid of its
// own), and a GAN and an autoencoder saved by another program (no training note: read by class).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { save } from '@axon/layers';
import { denseAutoencoder, gan } from '@axon/models';
import { manualSeed } from '@axon/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { axon, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** The side of a grid of k x k images of 28 pixels, scaled 2x, with 2 pixels of padding between and around. */
const side = (k: number) => k * 56 + (k + 1) * 2;
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The PNG's width and height (its IHDR), after checking the signature; and that the SVG embeds it. */
function grid(path: string): { width: number; height: number } {
  const png = readFileSync(`${path}.png`);
  expect([...png.subarray(0, 8)]).toEqual(PNG);
  const svg = readFileSync(`${path}.svg`, 'utf8');
  expect(svg).toContain('<svg');
  expect(svg).toContain('data:image/png;base64,');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('sample', () => {
  it('draws from a VAE trained by axon train', async () => {
    const out = join(tmp.dir, 'vae');
    const train = await axon('train', 'vae', '--epochs', '1', '--limit', '200', '--out', out);
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/test {2}loss \d+\.\d+ {2}recon \d+\.\d+ {2}kl \d+\.\d+/);
    grid(join(out, 'vae-samples')); // train leaves a grid of 64
    const run = await axon('sample', join(out, 'vae.axon'), '--n', '16', '--out', join(tmp.dir, 'vae-16'));
    expect(run.code).toBe(0);
    expect(run.out).toContain('(16 images from a vae model)');
    expect(grid(join(tmp.dir, 'vae-16'))).toEqual({ width: side(4), height: side(4) });
  });

  it('draws from a GAN saved by another program, read by its class', async () => {
    manualSeed(0);
    const path = join(tmp.dir, 'tiny-gan.axon');
    await save(gan({ latentSize: 8, generatorFeatures: 4, discriminatorFeatures: 4 }), path);
    const run = await axon('sample', path, '--n', '9');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`wrote ${join(tmp.dir, 'tiny-gan-samples.png')}`);
    expect(grid(join(tmp.dir, 'tiny-gan-samples'))).toEqual({ width: side(3), height: side(3) });
  });

  it("writes an autoencoder's reconstructions under its test images", async () => {
    manualSeed(0);
    const path = join(tmp.dir, 'ae.axon');
    await save(denseAutoencoder({ inputSize: 784, hiddenSizes: [], latentSize: 4 }), path);
    const run = await axon('sample', path, '--n', '16', '--data', 'mnist', '--out', join(tmp.dir, 'ae'));
    expect(run.code).toBe(0);
    const { width, height } = grid(join(tmp.dir, 'ae'));
    expect(height).toBe(side(4)); // rows: test, recon, test, recon
    expect(width).toBeGreaterThan(side(8)); // 8 a row, and the labels' margin
  });
});
