import { describe, expect, it } from 'vitest';
import { checkConfig, defaultConfig, modelsFor, parseHidden } from '../src/model/config';

describe('settings', () => {
  it('parse layer sizes as typed', () => {
    expect(parseHidden('16, 16')).toEqual([16, 16]);
    expect(parseHidden(' 8 4,2 ')).toEqual([8, 4, 2]);
    expect(parseHidden('')).toEqual([]);
    expect(() => parseHidden('16, x')).toThrow(/'x' is not a width/);
    expect(() => parseHidden('0')).toThrow(/'0'/);
  });

  it('offer an MLP for the 2-D sets and every image model for MNIST', () => {
    expect(modelsFor('spirals')).toEqual(['mlp']);
    expect(modelsFor('mnist')).toEqual(['mlp', 'cnn', 'autoencoder', 'vae', 'gan', 'rbm']);
    expect(defaultConfig('xor', 'cnn').model).toBe('mlp');
  });

  it('accept every default and name the first bad field', () => {
    for (const d of ['xor', 'spirals', 'blobs', 'mnist', 'fashion'] as const) {
      for (const m of modelsFor(d)) expect(checkConfig(defaultConfig(d, m))).toEqual(defaultConfig(d, m));
    }
    expect(() => checkConfig({ ...defaultConfig(), lr: -1 })).toThrow(/lr must be a number/);
    expect(() => checkConfig({ ...defaultConfig(), model: 'cnn' })).toThrow(/model must be one of mlp/);
    expect(() => checkConfig({ ...defaultConfig(), backend: 'tpu' })).toThrow(/backend/);
    expect(() => checkConfig(null)).toThrow(/expected an object/);
  });
});
