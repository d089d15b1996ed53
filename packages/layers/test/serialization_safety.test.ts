/**
 * Model files that are corrupt, hostile, old, or half written: the checksum, the size checks made
 * before anything is allocated, format-1 files, and the temporary files a killed save leaves.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyModule,
  BatchNorm2d,
  BilinearTensor,
  Conv2d,
  ConvTranspose2d,
  Embedding,
  Flatten,
  fromBytes,
  GRUCell,
  LayerNorm,
  Linear,
  LSTM,
  load,
  ModelFileError,
  MultiheadAttention,
  ReLU,
  RNN,
  Sequential,
  SparseLinear,
  save,
  specOf,
  toBytes,
} from '@axon/layers';
import { manualSeed, memory, tensor, ValueError } from '@axon/tensor';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { withAllocationBudget } from '../src/allocation';
import { crc32 } from '../src/serialization/crc32';

const here = dirname(fileURLToPath(import.meta.url));
const SRC = 'model.axon';

beforeEach(() => manualSeed(3));

function headerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
}

function headerOf(bytes: Uint8Array): Record<string, unknown> & {
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  model: { type: string; config: Record<string, unknown> };
} {
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength(bytes))));
}

/** `bytes` with the header replaced by `edit`'s and a correct checksum: only the reader's checks stop it. */
function resealed(bytes: Uint8Array, edit: (h: ReturnType<typeof headerOf>) => void): Uint8Array {
  const h = headerOf(bytes);
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const blob = bytes.subarray(8 + headerLength(bytes), bytes.length - 4);
  const out = new Uint8Array(8 + json.length + blob.length + 4);
  out.set(bytes.subarray(0, 4));
  const view = new DataView(out.buffer);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(blob, 8 + json.length);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function errorOf(f: () => unknown): ModelFileError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

describe('crc32', () => {
  it('is zlib/IEEE CRC-32, and can be continued', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(crc32(digits)).toBe(0xcbf43926); // the standard check value
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(digits.subarray(4), crc32(digits.subarray(0, 4)))).toBe(0xcbf43926);
  });
});

describe('checksum', () => {
  const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
  const good = toBytes(model);
  const stored = new DataView(good.buffer).getUint32(good.length - 4, true);

  it('a flipped data byte is a ModelFileError naming the file and both checksums', () => {
    const bad = good.slice();
    const at = 8 + headerLength(good) + 5; // inside the first weight
    bad[at] ^= 0x10;
    const actual = crc32(bad.subarray(0, bad.length - 4));
    const e = errorOf(() => fromBytes(bad, 'nets/mlp.axon'));
    expect(e.message).toBe(
      `nets/mlp.axon: checksum mismatch: the file records CRC-32 ${hex(stored)}, its contents give ${hex(actual)} (the file is corrupt or was changed after it was written)`,
    );
    expect(e.source).toBe('nets/mlp.axon');
    // From memory, the message names the bytes.
    expect(errorOf(() => fromBytes(bad)).message).toMatch(/^<model bytes>: checksum mismatch: /);
    // A flipped checksum byte, likewise.
    const badSum = good.slice();
    badSum[good.length - 1] ^= 1;
    expect(errorOf(() => fromBytes(badSum, SRC)).message).toMatch(/^model\.axon: checksum mismatch: /);
  });

  it('a flipped header byte is a ModelFileError, mostly the checksum, and never a crash or a big allocation', () => {
    const n = headerLength(good);
    const before = memory().numBytes;
    const reasons = new Set<string>();
    // Every header byte, and the header length field, each with its lowest bit flipped.
    for (let at = 4; at < 8 + n; at++) {
      const bad = good.slice();
      bad[at] ^= 1;
      const e = errorOf(() => fromBytes(bad, SRC));
      reasons.add(e.reason.split(' ')[0]);
    }
    expect(memory().numBytes).toBe(before);
    // The length field flips give 'truncated header', the version digit 2 -> 3 'written by a
    // newer Axon' (a newer format may not end with this checksum); everything else fails the
    // checksum.
    expect([...reasons].sort()).toEqual(['checksum', 'truncated', 'written']);
    const bad = good.slice();
    const firstDigit = new TextDecoder().decode(good.subarray(8, 8 + n)).indexOf('"inFeatures":3') + 13;
    bad[8 + firstDigit] ^= 1; // "inFeatures":2, still valid JSON
    expect(errorOf(() => fromBytes(bad, SRC)).message).toMatch(/^model\.axon: checksum mismatch: /);
  });

  it('a truncated or extended file says so', () => {
    expect(errorOf(() => fromBytes(good.subarray(0, good.length - 1), SRC)).message).toBe(
      `model.axon: truncated data (expected ${good.length} bytes, got ${good.length - 1})`,
    );
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expect(errorOf(() => fromBytes(longer, SRC)).message).toBe(
      `model.axon: unexpected bytes after the data (expected ${good.length} bytes, got ${good.length + 4})`,
    );
  });

  it('a format-2 file whose version digit was changed to 1 still fails its checksum', () => {
    const n = headerLength(good);
    const at = new TextDecoder().decode(good.subarray(8, 8 + n)).indexOf('"version":2') + 10;
    const bad = good.slice();
    bad[8 + at] = 0x31; // '1'
    expect(errorOf(() => fromBytes(bad, SRC)).message).toMatch(/^model\.axon: checksum mismatch: /);
  });
});

describe('sizes are checked before anything is allocated', () => {
  const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
  const good = toBytes(model);

  function expectQuickFailure(bytes: Uint8Array, message: string | RegExp): void {
    const before = memory();
    const t0 = performance.now();
    const e = errorOf(() => fromBytes(bytes, SRC));
    expect(performance.now() - t0).toBeLessThan(500);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    // Nothing was left behind, and nothing big was made on the way (a 1e9-value weight would
    // have taken seconds and gigabytes).
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().numBytes).toBe(before.numBytes);
  }

  it('a layer config far larger than the tensors (inFeatures 1e9)', () => {
    const bad = resealed(good, (h) => {
      (h.model.config.layers as { config: { inFeatures: number } }[])[0].config.inFeatures = 1e9;
    });
    expectQuickFailure(
      bad,
      "model.axon: cannot rebuild the model: Linear: its config needs 4000000004 parameter and buffer values, but the model file holds only 26 in all (26 left for this layer): the header's layer configs do not match its tensors",
    );
  });

  it('the budget is shared by all the layers of the model', () => {
    // The first layer fits; the second asks for more than what is left.
    const bad = resealed(good, (h) => {
      (h.model.config.layers as { config: { outFeatures: number } }[])[2].config.outFeatures = 3;
    });
    expectQuickFailure(
      bad,
      /^model\.axon: cannot rebuild the model: Linear: its config needs 15 parameter and buffer values, but the model file holds only 26 in all \(10 left for this layer\)/,
    );
  });

  it('a recurrent layer with absurd layers or hidden size', () => {
    const rnn = toBytes(new RNN(2, 3));
    for (const [key, value] of [
      ['numLayers', 1e7],
      ['hiddenSize', 1e6],
    ] as const) {
      const bad = resealed(rnn, (h) => {
        h.model.config[key] = value;
      });
      expectQuickFailure(bad, /^model\.axon: cannot rebuild the model: RNN: its config needs \d+ parameter/);
    }
  });

  it('a tensor whose declared shape does not match its bytes, or runs past the blob', () => {
    expectQuickFailure(
      resealed(good, (h) => {
        h.tensors[0].shape = [1e9, 3];
      }),
      "model.axon: tensor '0.weight' of shape [1000000000, 3] and dtype float32 needs 12000000000 bytes, but its length is 48",
    );
    expectQuickFailure(
      resealed(good, (h) => {
        h.tensors[0].shape = [1e9, 3];
        h.tensors[0].length = 12e9;
      }),
      `model.axon: tensor '0.weight' (offset 0, length 12000000000) runs past the end of the data (${headerOf(good).blobLength} bytes)`,
    );
    expectQuickFailure(
      resealed(good, (h) => {
        h.tensors[0].offset = 2 ** 60;
      }),
      `model.axon: tensor '0.weight' has an invalid offset/length ${2 ** 60}/48`,
    );
    const huge = resealed(good, (h) => {
      h.blobLength = 1e12;
    });
    expectQuickFailure(
      huge,
      `model.axon: truncated data (expected ${8 + headerLength(huge) + 1e12 + 4} bytes, got ${huge.length})`,
    );
  });
});

describe('format 1 (before checksums)', () => {
  const expected = JSON.parse(readFileSync(join(here, 'fixtures/format1.expected.json'), 'utf8')) as {
    state: Record<string, { shape: number[]; dtype: string; values: number[] }>;
    input: number[][];
    output: number[];
  };

  it('a file written by the format-1 writer still loads, with its extras', async () => {
    const bytes = new Uint8Array(readFileSync(join(here, 'fixtures/format1.axon')));
    expect(headerOf(bytes).version).toBe(1);
    const { model, extra } = await load<Sequential>(join(here, 'fixtures/format1.axon'));
    expect(model).toBeInstanceOf(Sequential);
    expect(extra.json).toEqual({ epoch: 3 });
    expect(Array.from(extra.tensors.step.dataSync())).toEqual([12]);
    const state = model.stateDict();
    expect(Object.keys(state)).toEqual(Object.keys(expected.state));
    for (const [name, want] of Object.entries(expected.state)) {
      expect(state[name].shape, name).toEqual(want.shape);
      expect(state[name].dtype, name).toBe(want.dtype);
      expect(Array.from(state[name].dataSync() as ArrayLike<number>, Number), name).toEqual(want.values);
    }
    model.eval();
    expect(Array.from(model.forward(tensor(expected.input)).dataSync())).toEqual(expected.output);
    // Saved again, it is a format-2 file of the same model.
    const again = toBytes(model);
    expect(headerOf(again).version).toBe(2);
    expect(specOf(fromBytes(again).model)).toEqual(specOf(model));
    model.dispose();
  });

  it('a corrupt format-1 file is still refused by its other checks', () => {
    const bytes = new Uint8Array(readFileSync(join(here, 'fixtures/format1.axon')));
    expect(errorOf(() => fromBytes(bytes.subarray(0, bytes.length - 3), SRC)).message).toBe(
      `model.axon: truncated data (expected ${bytes.length} bytes, got ${bytes.length - 3})`,
    );
  });
});

describe('temporary files of a killed save', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-safety-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A process id that is certainly not running: a child that has already exited. */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return Number(child.stdout.toString());
  }

  it('the next save of the same target removes them, and nothing else', async () => {
    const path = join(dir, 'm.axon');
    const dead = deadPid();
    const stale = [`m.axon.tmp-${dead}-abc123`, `m.axon.tmp-${process.pid}-zz9`];
    const kept = [
      `m.axon.tmp-${process.ppid}-live01`, // a save still running in another process
      `other.axon.tmp-${dead}-abc123`, // another target
      'm.axon.tmp-notes', // not the temp pattern
      `xm.axon.tmp-${dead}-abc123`,
    ];
    for (const f of [...stale, ...kept]) writeFileSync(join(dir, f), 'half a model');
    await save(new Linear(2, 2), path);
    expect(readdirSync(dir).sort()).toEqual(['m.axon', ...kept].sort());
    expect((await load(path)).model).toBeInstanceOf(Linear);
  });

  it("two saves of one target at once keep each other's temp files", async () => {
    const path = join(dir, 'both.axon');
    await Promise.all([save(new Linear(2, 2), path), save(new Linear(2, 3), path)]);
    expect(readdirSync(dir).filter((f) => f.startsWith('both.axon'))).toEqual(['both.axon']);
    expect((await load(path)).model).toBeInstanceOf(Linear);
  });

  it('a save really killed (SIGKILL) while writing leaves a temp file that the next save removes', async (ctx) => {
    const path = join(dir, 'killed.axon');
    const child = join(here, 'fixtures/save_child.ts');
    let leftBehind: string[] = [];
    // 16M float32 values (64 MB): the kill lands while they are being written. A machine fast
    // enough to finish first gets a second try with four times as much.
    for (const size of [16_000_000, 64_000_000]) {
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', child, path, String(size)],
        {
          cwd: join(here, '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      proc.stderr.on('data', (d) => {
        stderr += d;
      });
      const watcher = watch(dir, (_event, name) => {
        if (name?.startsWith('killed.axon.tmp-')) proc.kill('SIGKILL');
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        proc.on('exit', (c, s) => resolve([c, s])),
      );
      watcher.close();
      if (signal !== 'SIGKILL') expect(stderr).toBe(''); // it finished: no error either
      leftBehind = readdirSync(dir).filter((f) => f.startsWith('killed.axon.tmp-'));
      if (signal === 'SIGKILL' && leftBehind.length > 0) break;
      expect(code === 0 || signal === 'SIGKILL').toBe(true);
    }
    if (leftBehind.length === 0) {
      ctx.skip(); // the child finished writing both times before the kill landed
      return;
    }
    await save(new Linear(2, 2), path);
    expect(readdirSync(dir).filter((f) => f.startsWith('killed.axon'))).toEqual(['killed.axon']);
    expect(existsSync(join(dir, leftBehind[0]))).toBe(false);
    expect((await load(path)).model).toBeInstanceOf(Linear);
  }, 180_000); // seconds idle; room for a loaded machine
});

describe('the load-time allocation budget is exact for every built-in layer', () => {
  // Each layer must reserve exactly what it then allocates: one value too few fails, the exact
  // count succeeds (a double count would make real files fail to load).
  const factories: [string, () => AnyModule][] = [
    ['Linear', () => new Linear(5, 3)],
    ['Conv2d', () => new Conv2d(2, 4, 3)],
    ['Conv2d groups, no bias', () => new Conv2d(4, 6, [2, 3], { groups: 2, bias: false })],
    ['ConvTranspose2d', () => new ConvTranspose2d(3, 2, 3, { stride: 2 })],
    ['BatchNorm2d', () => new BatchNorm2d(4)],
    ['LayerNorm', () => new LayerNorm([3, 4])],
    ['Embedding', () => new Embedding(7, 3)],
    ['SparseLinear', () => new SparseLinear(6, 4)],
    ['BilinearTensor', () => new BilinearTensor(3)],
    ['MultiheadAttention', () => new MultiheadAttention(8, 2)],
    ['LSTM, 2 layers, bidirectional', () => new LSTM(3, 4, { numLayers: 2, bidirectional: true })],
    ['GRUCell', () => new GRUCell(3, 5)],
    [
      'Sequential of several',
      () => new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(8, 2)),
    ],
  ];
  for (const [label, make] of factories) {
    it(label, () => {
      const probe = make();
      const n = Object.values(probe.stateDict()).reduce((s, t) => s + t.size, 0);
      probe.dispose();
      withAllocationBudget(n, make).dispose();
      expect(() => withAllocationBudget(n - 1, make)).toThrow(ValueError);
    });
  }
});
