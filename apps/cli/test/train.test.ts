// `axon train mlp` on a few MNIST digits writes a model file (with its curves) that `info` and
// `eval` read; a changed byte makes `info` report the checksum failure and `eval` refuse the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axon, tempDir } from './helpers';

const tmp = tempDir();
const modelPath = join(tmp.dir, 'mlp.axon');

beforeAll(async () => {
  const run = await axon('train', 'mlp', '--epochs', '1', '--limit', '256', '--out', tmp.dir);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  expect(run.out).toContain('mlp on mnist: 256 train and 256 test examples; 1 epoch, batch 128');
  expect(run.out).toMatch(/epoch 1\/1 {2}loss \d/);
  expect(run.out).toMatch(/test {2}loss \d+\.\d+ {2}acc \d\.\d+/);
});
afterAll(() => tmp.remove());

describe('train mlp, then info and eval', () => {
  it('writes the model and its curves', () => {
    for (const name of ['mlp.axon', 'mlp-curves.png', 'mlp-curves.svg']) {
      expect(existsSync(join(tmp.dir, name)), name).toBe(true);
    }
  });

  it('info shows the format, checksum, training note, layers and parameter counts', async () => {
    const run = await axon('info', modelPath);
    expect(run.code).toBe(0);
    expect(run.out).toContain('format     axon-model, version 2');
    expect(run.out).toMatch(/checksum {3}ok \(CRC-32 [0-9a-f]{8}\)/);
    expect(run.out).toContain('model      Sequential, read as mlp');
    expect(run.out).toContain(
      'trained    axon train mlp on mnist: 1 epoch, batch 128, lr 0.003, seed 0, cpu, first 256 examples',
    );
    expect(run.out).toMatch(/1 +Linear +\[1, 128\] +100,480/); // output shapes for one MNIST image
    expect(run.out).toContain('Total params: 101,770');
  });

  it('eval reports loss and accuracy on the test split', async () => {
    const run = await axon('eval', modelPath, '--limit', '200');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^mlp on mnist test \(200 examples\): loss \d+\.\d+ {2}acc \d\.\d+\n$/);
    const json = await axon('eval', modelPath, '--limit', '100', '--data', 'binarized-mnist', '--json');
    expect(json.code).toBe(0);
    const logs = JSON.parse(json.out);
    expect(logs).toMatchObject({ model: 'mlp', data: 'binarized-mnist', examples: 100 });
    expect(logs.accuracy).toBeGreaterThanOrEqual(0);
    expect(logs.accuracy).toBeLessThanOrEqual(1);
  });

  it('sample says a classifier cannot draw', async () => {
    const run = await axon('sample', modelPath);
    expect(run.code).toBe(1);
    expect(run.err).toContain('mlp models cannot draw samples (models that can: autoencoder');
  });

  it('info reports a corrupted file as a checksum failure, and eval refuses it', async () => {
    const bytes = readFileSync(modelPath);
    bytes[bytes.length - 100] ^= 0x55; // a weight's byte
    const corrupt = join(tmp.dir, 'corrupt.axon');
    writeFileSync(corrupt, bytes);
    const info = await axon('info', corrupt);
    expect(info.code).toBe(1);
    expect(info.out).toMatch(
      /checksum {3}MISMATCH: the file records CRC-32 [0-9a-f]{8}, its contents give [0-9a-f]{8}/,
    );
    expect(info.out).toContain('3.weight  [10, 128] float32'); // the tensors, from the header
    expect(info.err).toContain(
      `axon: ${corrupt}: the file is corrupt or was changed after it was written (checksum mismatch)`,
    );
    const evaluated = await axon('eval', corrupt);
    expect(evaluated.code).toBe(1);
    expect(evaluated.err).toContain(`${corrupt}: checksum mismatch`);
  });
});
