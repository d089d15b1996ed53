import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, memory, ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { CharCorpus, type TokenBatch, tinyShakespeare } from '../src/index';

const here = fileURLToPath(new URL('.', import.meta.url));
// CI has ../shared beside the repo: <repo>/../shared/data/...
const SHARED = resolve(here, '../../../../shared/data/tinyshakespeare/input.txt');
const BUNDLED = resolve(here, '../data/tinyshakespeare/input.txt');
const SHAKESPEARE = existsSync(SHARED) ? SHARED : BUNDLED;

describe('CharCorpus on tiny-shakespeare', () => {
  it('reads the file: 1,115,394 chars, 65-char sorted vocabulary, nanoGPT split', async () => {
    const corpus = await CharCorpus.fromFile(SHAKESPEARE);
    expect(corpus.text.length).toBe(1115394);
    expect(corpus.vocabSize).toBe(65);
    expect(corpus.chars.join('')).toBe("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    expect(corpus.text.startsWith('First Citizen:')).toBe(true);
    const { train, val } = corpus.split();
    expect(train.length).toBe(1003854);
    expect(val.length).toBe(111540);
    expect(corpus.decode(train.subarray(0, 14))).toBe('First Citizen:');
    // Round trip of the whole text.
    expect(corpus.decode(corpus.ids)).toBe(corpus.text);
  });

  it('the bundled copy is byte-identical and loads by default', async () => {
    const corpus = await tinyShakespeare();
    const shared = await CharCorpus.fromFile(SHAKESPEARE);
    expect(corpus.text).toBe(shared.text);
  });

  it('windows: x/y int32 [B, T], y shifted by one, every window once per epoch', async () => {
    const corpus = await CharCorpus.fromFile(SHAKESPEARE);
    const ids = corpus.split().val;
    const T = 64;
    const B = 128;
    const loader = corpus.windows(ids, T, { batchSize: B, seed: 7 });
    const nWin = Math.floor((ids.length - T - 1) / T) + 1;
    expect(loader.numWindows).toBe(nWin);
    expect(loader.length).toBe(Math.ceil(nWin / B));
    const before = memory().numTensors;
    const starts = new Set<number>();
    let batches = 0;
    for (const { x, y } of loader) {
      batches++;
      expect(x.dtype).toBe('int32');
      expect(y.dtype).toBe('int32');
      expect(x.shape[1]).toBe(T);
      expect(y.shape).toEqual(x.shape);
      const xs = x.dataSync();
      const ys = y.dataSync();
      for (let r = 0; r < x.shape[0]; r++) {
        const row = xs.subarray(r * T, (r + 1) * T);
        // Find the window start: windows begin at multiples of T.
        let start = -1;
        for (let k = 0; k < nWin && start < 0; k++) {
          if (ids[k * T] === row[0] && ids[k * T + 1] === row[1] && ids[k * T + 5] === row[5]) {
            if (row.every((v, j) => v === ids[k * T + j]) && !starts.has(k)) start = k;
          }
        }
        expect(start).toBeGreaterThanOrEqual(0);
        starts.add(start);
        for (let j = 0; j < T; j++) expect(ys[r * T + j]).toBe(ids[start * T + j + 1]);
      }
      x.dispose();
      y.dispose();
    }
    expect(batches).toBe(loader.length);
    expect(starts.size).toBe(nWin);
    expect(memory().numTensors).toBe(before);
  });

  it('shuffles per epoch, reproducibly by seed; dropLast; async iteration', async () => {
    const corpus = new CharCorpus('abcdefghijklmnopqrstuvwxyz'.repeat(20));
    const ids = corpus.ids;
    const firstRows = (it: Iterable<TokenBatch>): number[] => {
      const out: number[] = [];
      for (const { x, y } of it) {
        const v = x.dataSync();
        for (let r = 0; r < x.shape[0]; r++) out.push(v[r * x.shape[1]]);
        x.dispose();
        y.dispose();
      }
      return out;
    };
    const a = corpus.windows(ids, 5, { batchSize: 8, seed: 3 });
    const b = corpus.windows(ids, 5, { batchSize: 8, seed: 3 });
    const e1 = firstRows(a);
    const e2 = firstRows(a);
    expect(e1).not.toEqual(e2); // reshuffled
    expect(firstRows(b)).toEqual(e1); // same seed, same order
    expect(firstRows(b)).toEqual(e2);
    const g = new Generator(3);
    expect(firstRows(corpus.windows(ids, 5, { batchSize: 8, generator: g }))).toEqual(e1);
    const plain = firstRows(corpus.windows(ids, 5, { batchSize: 8, shuffle: false }));
    expect(plain).toEqual(Array.from({ length: a.numWindows }, (_, k) => ids[k * 5]));

    const dl = corpus.windows(ids, 5, { batchSize: 8, dropLast: true, seed: 1 });
    expect(dl.numWindows).toBe(103); // floor((520 - 6) / 5) + 1
    expect(dl.length).toBe(12);
    let count = 0;
    for await (const { x, y } of dl) {
      expect(x.shape).toEqual([8, 5]);
      x.dispose();
      y.dispose();
      count++;
    }
    expect(count).toBe(12);

    const overlap = corpus.windows(ids, 5, { batchSize: 4, stride: 1, shuffle: false });
    expect(overlap.numWindows).toBe(520 - 5);
  });

  it('encode/decode round trip, unicode, and clear errors', async () => {
    const c = new CharCorpus('héllo wörld 🙂');
    expect(c.chars[0]).toBe(' ');
    expect(c.chars[c.vocabSize - 1]).toBe('🙂');
    expect(c.decode(c.encode('wörld 🙂'))).toBe('wörld 🙂');
    expect(c.encode('🙂').length).toBe(1);
    expect(() => c.encode('hlx')).toThrow(/CharCorpus.encode: character "x" at position 2/);
    expect(() => c.decode([0, 99])).toThrow(/id 99 at position 1 is out of range/);
    expect(() => c.decode([0.5])).toThrow(ValueError);
    expect(() => c.split(1)).toThrow(/fraction must be in \(0, 1\), got 1/);
    expect(() => c.windows(c.ids, 0)).toThrow(/expected seqLen to be a positive integer, got number 0/);
    expect(() => c.windows(c.ids, 20)).toThrow(/needs at least 21 ids/);
    expect(() => c.windows(new Int32Array([0, 1, 2, 50]), 2)).toThrow(/id 50 at position 3/);
    expect(() => c.windows(c.ids, 2, { batchSize: 1.5 })).toThrow(
      /expected batchSize to be a positive integer/,
    );
    expect(() => new CharCorpus('')).toThrow(/CharCorpus: the text is empty/);
    await expect(CharCorpus.fromFile('/no/such/file.txt')).rejects.toThrow(
      /CharCorpus.fromFile: cannot read '\/no\/such\/file.txt': no such file/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'axon-text-'));
    const bad = join(dir, 'bad.txt');
    await writeFile(bad, new Uint8Array([0x61, 0xff, 0xfe]));
    await expect(CharCorpus.fromFile(bad)).rejects.toThrow(/is not valid UTF-8/);
  });

  it('decodes an int32 tensor', async () => {
    const c = new CharCorpus('to be or not');
    const w = c.windows(c.ids, 4, { batchSize: 1, shuffle: false });
    const [{ x, y }] = [...w];
    expect(c.decode(x)).toBe('to b');
    expect(c.decode(y)).toBe('o be');
    x.dispose();
    y.dispose();
  });
});
