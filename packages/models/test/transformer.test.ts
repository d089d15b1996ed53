import { LayerNorm, MultiheadAttention, registeredLayers, Sequential } from '@axon/layers';
import { type TransformerBlock, TransformerLM, transformerLM } from '@axon/models';
import { Adam } from '@axon/optim';
import { Generator, manualSeed, narrow, ShapeError, tensor, tidy } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectSaveLoadRoundTrip, runTrainSteps } from './helpers';

beforeEach(() => manualSeed(5));

const ids = (values: number[], B = 1) =>
  tensor(Int32Array.from(values), { shape: [B, values.length / B], dtype: 'int32' });
const small = { vocabSize: 7, blockSize: 8, embedDim: 8, numHeads: 2, numLayers: 2 };

describe('transformerLM', () => {
  it('is a registered Module of embeddings, pre-LN blocks and a final LayerNorm', () => {
    expect(registeredLayers()).toEqual(expect.arrayContaining(['TransformerLM', 'TransformerBlock']));
    const m = transformerLM(small);
    expect(m.blocks).toBeInstanceOf(Sequential);
    expect(m.blocks.layers).toHaveLength(2);
    const block = m.blocks.layers[0] as TransformerBlock;
    expect(block.attn).toBeInstanceOf(MultiheadAttention);
    expect(block.ln1).toBeInstanceOf(LayerNorm);
    expect(m.forward(ids([0, 1, 2, 3, 4, 5], 2)).shape).toEqual([2, 3, 7]);
  });

  it('ties the output weight to the token embedding: one tensor, one state-dict entry', () => {
    const m = transformerLM(small);
    expect(m.outputWeight).toBe(m.wte.weight);
    const names = Object.keys(m.stateDict());
    expect(names.filter((n) => m.stateDict()[n] === m.wte.weight)).toEqual(['wte.weight']);
    expect(m.parameters().filter((p) => p === m.wte.weight)).toHaveLength(1);
    // D·(V + blockSize) embeddings + per block (2 LN: 4D; attn: 3D² + 3D + D² + D; mlp: 8D² + 5D) + final LN 2D.
    const D = 8;
    const perBlock = 4 * D + 4 * D * D + 4 * D + 8 * D * D + 5 * D;
    expect(m.numParameters()).toBe(D * (7 + 8) + 2 * perBlock + 2 * D);
  });

  it('is causal: changing a later token leaves the earlier logits unchanged', () => {
    const m = transformerLM(small);
    tidy(() => {
      const a = m.forward(ids([1, 2, 3, 4, 5, 6]));
      const b = m.forward(ids([1, 2, 3, 0, 0, 0]));
      expectClose(narrow(a, 1, 0, 3), narrow(b, 1, 0, 3), 1e-6);
      const diff = Math.abs(narrow(a, 1, 3, 1).dataSync()[0] - narrow(b, 1, 3, 1).dataSync()[0]);
      expect(diff).toBeGreaterThan(0);
    });
  });

  it('rejects bad options and inputs', () => {
    expect(() => transformerLM({ ...small, embedDim: 9 })).toThrow(
      /transformerLM: expected embedDim to be a multiple of numHeads 2, got 9/,
    );
    expect(() => transformerLM({ ...small, dropout: 2 })).toThrow(/transformerLM: expected dropout/);
    const m = transformerLM(small);
    expect(() => m.forward(ids(Array(9).fill(1)))).toThrow(ShapeError);
    expect(() => m.forward(ids(Array(9).fill(1)))).toThrow(/T <= 8 \(the block size\), got \[1, 9\]/);
  });

  it('generates reproducibly with a seed, beyond the block size, within topK', () => {
    const m = transformerLM(small);
    const a = m.generate([1], { length: 12, temperature: 3, generator: new Generator(4) });
    const b = m.generate([1], { length: 12, temperature: 3, generator: new Generator(4) });
    expect(a).toEqual(b);
    expect(a).toHaveLength(12);
    const k1 = m.generate([1, 2], { length: 6, topK: 1, generator: new Generator(9) });
    expect(k1).toEqual(m.generate([1, 2], { length: 6, topK: 1, generator: new Generator(10) }));
    const context = [1, 2];
    for (let i = 0; i < 6; i++) {
      const logits = Array.from(
        tidy(() => narrow(m.forward(ids(context)), 1, context.length - 1, 1)).dataSync(),
      );
      context.push(logits.indexOf(Math.max(...logits)));
    }
    expect(k1).toEqual(context.slice(2));
  });

  it('save/load round trip is bit-exact (the tie is rebuilt)', async () => {
    const m = transformerLM({ ...small, dropout: 0.1 });
    await expectSaveLoadRoundTrip(m, ids([0, 1, 2, 3, 4, 5], 2));
  });

  it('overfits a repeating toy sequence', () => {
    const seq = [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1, 2];
    const x = ids([...seq.slice(0, 8), ...seq.slice(3, 11)], 2);
    const y = ids([...seq.slice(1, 9), ...seq.slice(4, 12)], 2);
    const m = new TransformerLM({ ...small, embedDim: 16 });
    const logs = runTrainSteps(m, () => ({ x, y }), { default: new Adam(m.parameters(), { lr: 0.01 }) }, 60);
    expect(logs[0].loss).toBeGreaterThan(1.5);
    expect(logs[logs.length - 1].loss).toBeLessThan(0.05);
  });
});
