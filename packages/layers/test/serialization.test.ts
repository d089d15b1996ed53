import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchNorm1d,
  fromBytes,
  type LayerConfig,
  Linear,
  load,
  ModelFileError,
  Module,
  ReLU,
  registeredLayers,
  registerLayer,
  Sequential,
  save,
  specOf,
  toBytes,
} from '@axon/layers';
import { assign, manualSeed, memory, randn, type Tensor, tensor, tidy } from '@axon/tensor';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { crc32 } from '../src/serialization/crc32';

// A switch for the atomicity test: while set, a write to a file writes half of what it is given,
// then fails, as a full disk would.
const fsFaults = vi.hoisted(() => ({ failWrites: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    if (!fsFaults.failWrites) return handle;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'write') {
          return async (buf: Uint8Array, offset: number, length: number) => {
            await target.write(buf, offset, Math.floor(length / 2));
            throw new Error('ENOSPC: no space left on device, write (simulated)');
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return { ...actual, default: { ...actual, open }, open };
});

/** A layer with a tensor of every dtype: y = x · scale, plus float64/int32/bool buffers. */
class Probe extends Module {
  readonly scale: Tensor;
  constructor(readonly size: number) {
    super();
    this.scale = this.addParameter('scale', tensor(Array.from({ length: size }, (_, i) => 1 + i / 8)));
    this.addBuffer('history', tensor([0.1, -0.2, 1e-300], 'float64'));
    this.addBuffer('steps', tensor([size, -7], 'int32'));
    this.addBuffer('mask', tensor([true, false, true]));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.scale);
  }
  override config(): LayerConfig {
    return { size: this.size };
  }
  static fromConfig(c: LayerConfig): Probe {
    return new Probe(c.size as number);
  }
}
registerLayer('SerializationTestProbe', Probe);

/** Registered under one name, but not registered when the test loads it (see 'unknown layer'). */
class Unregistered extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

function makeModel(): Sequential {
  return new Sequential(new Linear(3, 4), new ReLU(), new BatchNorm1d(4), new Probe(4), new Linear(4, 2));
}

const SRC = 'model.axon';

function headerOf(bytes: Uint8Array): Record<string, unknown> & {
  tensors: { name: string; shape: number[]; dtype: string; offset: number; length: number }[];
  blobLength: number;
} {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

/**
 * The same file with its header changed by `edit` (the blob is kept as it was) and a new checksum,
 * as a writer with a different idea of the file would make it: what the reader must still refuse.
 */
function withHeader(bytes: Uint8Array, edit: (h: ReturnType<typeof headerOf>) => void): Uint8Array {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const h = headerOf(bytes);
  edit(h);
  return withRawHeader(bytes.subarray(8 + n, bytes.length - 4), new TextEncoder().encode(JSON.stringify(h)));
}

/** A file of `header` and `blob`, with a correct checksum after them. */
function withRawHeader(blob: Uint8Array, header: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + header.length + blob.length + 4);
  out.set([0x41, 0x58, 0x4f, 0x4e]);
  const view = new DataView(out.buffer);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(blob, 8 + header.length);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function bitsOf(t: Tensor): number[] {
  const v = t.dataSync();
  return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

beforeEach(() => {
  manualSeed(7);
  fsFaults.failWrites = false;
});

describe('toBytes / fromBytes', () => {
  it('round trips a Sequential of several layer kinds bit for bit, with identical outputs', () => {
    const model = makeModel();
    // Make the batch norm statistics and the int32 counter differ from their initial values.
    tidy(() =>
      model.forward(
        tensor([
          [1, 2, 3],
          [-1, 0, 4],
          [0.5, -2, 1],
        ]),
      ),
    );
    const bytes = toBytes(model);
    const { model: loaded, extra } = fromBytes(bytes, SRC);
    expect(loaded).toBeInstanceOf(Sequential);
    expect(specOf(loaded)).toEqual(specOf(model));
    const a = model.stateDict();
    const b = loaded.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) {
      expect(b[k].shape, k).toEqual(a[k].shape);
      expect(b[k].dtype, k).toBe(a[k].dtype);
      expect(bitsOf(b[k]), k).toEqual(bitsOf(a[k]));
    }
    expect(extra).toEqual({ tensors: {} });
    model.eval();
    loaded.eval();
    const x = tensor([
      [0.3, -1.2, 2.5],
      [4, 0.1, -0.7],
    ]);
    expect(bitsOf((loaded as Sequential).forward(x))).toEqual(bitsOf(model.forward(x)));
    // Parameters of the loaded model are trainable parameters again.
    expect(loaded.parameters().every((p) => p.requiresGrad)).toBe(true);
    model.dispose();
    loaded.dispose();
  });

  it('keeps -0, infinities, subnormals and NaN', () => {
    const model = new Probe(6);
    assign(
      model.scale,
      tensor([-0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, Number.NaN, 3.4e38]),
    );
    const loaded = fromBytes(toBytes(model), SRC).model as Probe;
    const got = loaded.scale.dataSync();
    expect(Object.is(got[0], -0)).toBe(true);
    expect(Array.from(got.slice(1, 4))).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Math.fround(1e-45),
    ]);
    expect(Number.isNaN(got[4])).toBe(true);
    expect(got[5]).toBe(model.scale.dataSync()[5]);
    expect(bitsOf(loaded.scale).slice(0, 4)).toEqual([0, 0, 0, 0x80]);
    // Every element but the NaN (whose payload need not survive) has the same bits.
    const bits = bitsOf(loaded.scale);
    const want = bitsOf(model.scale);
    expect([...bits.slice(0, 16), ...bits.slice(20)]).toEqual([...want.slice(0, 16), ...want.slice(20)]);
  });

  it('writes the agreed layout: magic, header length, JSON header, aligned blob', () => {
    const model = new Sequential(new Linear(2, 3), new Probe(3));
    const bytes = toBytes(model);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x41, 0x58, 0x4f, 0x4e]);
    const n = new DataView(bytes.buffer).getUint32(4, true);
    expect((8 + n) % 8).toBe(0);
    const h = headerOf(bytes);
    expect(h.format).toBe('axon-model');
    expect(h.version).toBe(2);
    expect(h.model).toEqual(specOf(model));
    expect(h.tensors.map((t) => [t.name, t.shape, t.dtype])).toEqual([
      ['0.weight', [3, 2], 'float32'],
      ['0.bias', [3], 'float32'],
      ['1.scale', [3], 'float32'],
      ['1.history', [3], 'float64'],
      ['1.steps', [2], 'int32'],
      ['1.mask', [3], 'bool'],
    ]);
    for (const t of h.tensors) expect(t.offset % 8).toBe(0);
    expect(h.tensors.map((t) => t.length)).toEqual([24, 12, 12, 24, 8, 3]);
    expect(bytes.length).toBe(8 + n + h.blobLength + 4);
    // Then the CRC-32 of everything before it, little-endian.
    expect(new DataView(bytes.buffer).getUint32(bytes.length - 4, true)).toBe(
      crc32(bytes.subarray(0, bytes.length - 4)),
    );
    // The first weight, little-endian, at the start of the blob.
    const w = model.stateDict()['0.weight'].dataSync() as Float32Array;
    const view = new DataView(bytes.buffer, 8 + n);
    expect(view.getFloat32(0, true)).toBe(w[0]);
    expect(view.getFloat32(4, true)).toBe(w[1]);
    expect('extra' in h).toBe(false);
  });

  it('stores extra JSON and extra tensors (how the training loop saves optimizer state)', () => {
    const model = new Probe(2);
    const m1 = tensor([0.5, -0.25]);
    const step = tensor([12], 'int32');
    const json = { epoch: 3, optimizer: { type: 'Adam', lr: 1e-3, betas: [0.9, 0.999] } };
    const bytes = toBytes(model, { extra: { json, tensors: { 'optim/state/0/expAvg': m1, step } } });
    expect(headerOf(bytes).tensors.map((t) => t.name)).toEqual([
      'scale',
      'history',
      'steps',
      'mask',
      'extra/optim/state/0/expAvg',
      'extra/step',
    ]);
    const { extra } = fromBytes(bytes, SRC);
    expect(extra.json).toEqual(json);
    expect(Object.keys(extra.tensors)).toEqual(['optim/state/0/expAvg', 'step']);
    expect(Array.from(extra.tensors['optim/state/0/expAvg'].dataSync())).toEqual([0.5, -0.25]);
    expect(extra.tensors.step.dtype).toBe('int32');
    expect(Array.from(extra.tensors.step.dataSync())).toEqual([12]);
    // JSON without tensors, and falsy JSON, come back as given.
    expect(fromBytes(toBytes(model, { extra: { json: 0 } }), SRC).extra).toEqual({ json: 0, tensors: {} });
    expect(fromBytes(toBytes(model, { extra: { json: null } }), SRC).extra).toEqual({
      json: null,
      tensors: {},
    });
  });

  it('leaks no tensors: the loaded model and extras are all that remain', () => {
    const model = makeModel();
    const bytes = toBytes(model, { extra: { tensors: { a: tensor([1, 2]) } } });
    const before = memory().numTensors;
    const { model: loaded, extra } = fromBytes(bytes, SRC);
    const own = Object.keys(loaded.stateDict()).length + Object.keys(extra.tensors).length;
    expect(memory().numTensors).toBe(before + own);
    loaded.dispose();
    for (const t of Object.values(extra.tensors)) t.dispose();
    expect(memory().numTensors).toBe(before);
    // A failed load frees what it made.
    const bad = withHeader(bytes, (h) => {
      h.tensors[0].dtype = 'int32';
    });
    expect(() => fromBytes(bad, SRC)).toThrow(ModelFileError);
    expect(memory().numTensors).toBe(before);
  });

  it('leaves the global random stream as it was: loading draws nothing a run would see', () => {
    const bytes = toBytes(makeModel());
    const draws = (load: boolean) => {
      manualSeed(5);
      if (load) fromBytes(bytes, SRC).model.dispose();
      return tidy(() => randn([4]).dataSync());
    };
    expect(draws(true)).toEqual(draws(false));
  });

  it('refuses what it cannot write', () => {
    expect(() => toBytes(new Unregistered())).toThrow(
      "Unregistered is not a registered layer: call registerLayer('Unregistered', Unregistered)",
    );
    expect(() => toBytes(new Probe(1), { extra: { tensors: { '': tensor([1]) } } })).toThrow(
      'toBytes: an extra tensor has an empty name',
    );
  });
});

describe('fromBytes: corrupt files', () => {
  const model = new Sequential(new Linear(3, 2), new Probe(2));
  const good = toBytes(model);
  const n = new DataView(good.buffer).getUint32(4, true);

  it('bad magic', () => {
    const bad = good.slice();
    bad[3] = 0x4d; // 'AXOM'
    const msg = 'model.axon: not an Axon model file (it does not start with the magic bytes "AXON")';
    expect(messageOf(() => fromBytes(bad, SRC))).toBe(msg);
    expect(messageOf(() => fromBytes(new TextEncoder().encode('{"format": "axon-model"}'), SRC))).toBe(msg);
    expect(messageOf(() => fromBytes(new Uint8Array(0), SRC))).toBe(msg);
  });

  it('a header of another format', () => {
    const bad = withHeader(good, (h) => {
      h.format = 'onnx';
    });
    expect(messageOf(() => fromBytes(bad, SRC))).toBe(
      `model.axon: not an Axon model file (header format is "onnx", expected 'axon-model')`,
    );
  });

  it('truncated header', () => {
    expect(messageOf(() => fromBytes(good.subarray(0, 6), SRC))).toBe(
      'model.axon: truncated header (expected at least 8 bytes, got 6)',
    );
    expect(messageOf(() => fromBytes(good.subarray(0, 30), SRC))).toBe(
      `model.axon: truncated header (expected ${8 + n} bytes, got 30)`,
    );
  });

  it('truncated blob', () => {
    expect(messageOf(() => fromBytes(good.subarray(0, good.length - 5), SRC))).toBe(
      `model.axon: truncated data (expected ${good.length} bytes, got ${good.length - 5})`,
    );
    // Cut right after the header: no data at all.
    expect(messageOf(() => fromBytes(good.subarray(0, 8 + n), SRC))).toBe(
      `model.axon: truncated data (expected ${good.length} bytes, got ${8 + n})`,
    );
  });

  it('bytes after the data', () => {
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(messageOf(() => fromBytes(longer, SRC))).toBe(
      `model.axon: unexpected bytes after the data (expected ${good.length} bytes, got ${good.length + 3})`,
    );
  });

  it('a header that is not JSON', () => {
    const blob = good.subarray(8 + n, good.length - 4);
    const bad = withRawHeader(blob, new TextEncoder().encode('{"format": "axon-model", version: 1}'));
    expect(messageOf(() => fromBytes(bad, SRC))).toMatch(/^model\.axon: header is not valid JSON \(.+\)$/);
    const notUtf8 = withRawHeader(blob, new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(messageOf(() => fromBytes(notUtf8, SRC))).toMatch(
      /^model\.axon: header is not valid JSON \(.+\)$/,
    );
    expect(messageOf(() => fromBytes(withRawHeader(blob, new TextEncoder().encode('[1, 2]')), SRC))).toBe(
      'model.axon: header is not a JSON object',
    );
  });

  it('a version from the future', () => {
    const bad = withHeader(good, (h) => {
      h.version = 3;
    });
    expect(messageOf(() => fromBytes(bad, SRC))).toBe(
      'model.axon: written by a newer Axon: format version 3, this reads 2',
    );
    const zero = withHeader(good, (h) => {
      h.version = 0;
    });
    expect(messageOf(() => fromBytes(zero, SRC))).toBe('model.axon: unsupported format version 0');
  });

  it('an unknown layer, named with the file', () => {
    const bad = withHeader(good, (h) => {
      (h.model as { config: { layers: { type: string }[] } }).config.layers[1].type = 'Swoosh';
    });
    expect(messageOf(() => fromBytes(bad, 'nets/classifier.axon'))).toBe(
      `nets/classifier.axon: cannot rebuild the model: unknown layer 'Swoosh': import the package that registers it (registered: ${registeredLayers().join(', ')})`,
    );
  });

  it('a tensor that runs past the blob', () => {
    const bad = withHeader(good, (h) => {
      h.tensors[1].offset = h.blobLength - 4;
    });
    const h = headerOf(good);
    expect(messageOf(() => fromBytes(bad, SRC))).toBe(
      `model.axon: tensor '0.bias' (offset ${h.blobLength - 4}, length 8) runs past the end of the data (${h.blobLength} bytes)`,
    );
  });

  it('a length that does not match the shape and dtype', () => {
    const shape = withHeader(good, (h) => {
      h.tensors[0].shape = [3, 3];
    });
    expect(messageOf(() => fromBytes(shape, SRC))).toBe(
      "model.axon: tensor '0.weight' of shape [3, 3] and dtype float32 needs 36 bytes, but its length is 24",
    );
    const dtype = withHeader(good, (h) => {
      h.tensors[0].dtype = 'float64';
    });
    expect(messageOf(() => fromBytes(dtype, SRC))).toBe(
      "model.axon: tensor '0.weight' of shape [2, 3] and dtype float64 needs 48 bytes, but its length is 24",
    );
  });

  it('a shape or dtype that does not fit the model', () => {
    const shape = withHeader(good, (h) => {
      h.tensors[0].shape = [3, 2];
    });
    expect(messageOf(() => fromBytes(shape, SRC))).toBe(
      "model.axon: the tensors do not fit the model: loadStateDict: '0.weight' has shape [3, 2] in the state dict but [2, 3] in the model",
    );
    const dtype = withHeader(good, (h) => {
      h.tensors[0].dtype = 'int32';
    });
    expect(messageOf(() => fromBytes(dtype, SRC))).toBe(
      "model.axon: the tensors do not fit the model: loadStateDict: '0.weight' has dtype int32 in the state dict but float32 in the model",
    );
    const config = withHeader(good, (h) => {
      (
        h.model as { config: { layers: { config: { outFeatures: number } }[] } }
      ).config.layers[0].config.outFeatures = 1;
    });
    expect(messageOf(() => fromBytes(config, SRC))).toMatch(
      /^model\.axon: the tensors do not fit the model: loadStateDict: '0\.weight' has shape \[2, 3\] in the state dict but \[1, 3\] in the model$/,
    );
    // A config that asks for more values than the file holds stops before allocating them.
    const bigger = withHeader(good, (h) => {
      (
        h.model as { config: { layers: { config: { outFeatures: number } }[] } }
      ).config.layers[0].config.outFeatures = 5;
    });
    expect(messageOf(() => fromBytes(bigger, SRC))).toBe(
      "model.axon: cannot rebuild the model: Linear: its config needs 20 parameter and buffer values, but the model file holds only 18 in all (18 left for this layer): the header's layer configs do not match its tensors",
    );
  });

  it('missing and unexpected tensors (strict)', () => {
    const missing = withHeader(good, (h) => {
      h.tensors.splice(1, 1);
    });
    expect(messageOf(() => fromBytes(missing, SRC))).toBe(
      'model.axon: the tensors do not fit the model: loadStateDict: Sequential state does not match (missing keys: 0.bias)',
    );
    const renamed = withHeader(good, (h) => {
      h.tensors[1].name = '0.b';
    });
    expect(messageOf(() => fromBytes(renamed, SRC))).toBe(
      'model.axon: the tensors do not fit the model: loadStateDict: Sequential state does not match (missing keys: 0.bias; unexpected keys: 0.b)',
    );
  });

  it('malformed tensor entries', () => {
    const cases: [(h: ReturnType<typeof headerOf>) => void, string][] = [
      [(h) => void (h.tensors[0].dtype = 'float16'), `tensor '0.weight' has an unknown dtype "float16"`],
      [(h) => void (h.tensors[0].shape = [2, -3]), `tensor '0.weight' has an invalid shape [2,-3]`],
      [(h) => void (h.tensors[0].offset = 1.5), `tensor '0.weight' has an invalid offset/length 1.5/24`],
      [(h) => void (h.tensors[1].name = '0.weight'), `tensor '0.weight' is listed twice`],
      [(h) => void (h.tensors = {} as never), `header 'tensors' must be an array, got {}`],
      [
        (h) => void (h.model = 'Linear'),
        `header 'model' must be {type: string, config: object}, got "Linear"`,
      ],
      [(h) => void (h.blobLength = -1), `header 'blobLength' must be a byte count, got -1`],
    ];
    for (const [edit, reason] of cases) {
      expect(messageOf(() => fromBytes(withHeader(good, edit), SRC))).toBe(`model.axon: ${reason}`);
    }
  });

  it('names a default source when none is given', () => {
    expect(messageOf(() => fromBytes(new Uint8Array(3)))).toBe(
      '<model bytes>: not an Axon model file (it does not start with the magic bytes "AXON")',
    );
  });
});

describe('save / load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-serialization-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round trips through a file, with extras', async () => {
    const model = makeModel();
    const path = join(dir, 'round.axon');
    await save(model, path, { extra: { json: { epoch: 1 }, tensors: { lr: tensor([0.1]) } } });
    expect(readdirSync(dir)).toEqual(['round.axon']);
    const { model: loaded, extra } = await load(path);
    expect(extra.json).toEqual({ epoch: 1 });
    expect(Array.from(extra.tensors.lr.dataSync())).toEqual([Math.fround(0.1)]);
    model.eval();
    loaded.eval();
    const x = tensor([[1, 2, 3]]);
    expect(bitsOf((loaded as Sequential).forward(x))).toEqual(bitsOf(model.forward(x)));
    expect(new Uint8Array(readFileSync(path))).toEqual(
      toBytes(model, { extra: { json: { epoch: 1 }, tensors: { lr: tensor([0.1]) } } }),
    );
  });

  it('overwrites an existing file atomically; a failed write leaves it unchanged and no temp file', async () => {
    const path = join(dir, 'atomic.axon');
    const first = new Sequential(new Linear(2, 2));
    await save(first, path);
    const original = readFileSync(path);

    fsFaults.failWrites = true;
    const second = new Sequential(new Linear(2, 2), new Probe(2));
    await expect(save(second, path)).rejects.toThrow(
      `${path}: cannot save the model: ENOSPC: no space left on device, write (simulated)`,
    );
    fsFaults.failWrites = false;
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('atomic'))).toEqual(['atomic.axon']);
    const { model } = await load(path);
    expect(specOf(model)).toEqual(specOf(first));

    // A successful save replaces it.
    await save(second, path);
    expect(specOf((await load(path)).model)).toEqual(specOf(second));
    expect(readdirSync(dir).filter((f) => f.startsWith('atomic'))).toEqual(['atomic.axon']);
  });

  it('errors name the file', async () => {
    const missing = join(dir, 'nope.axon');
    await expect(load(missing)).rejects.toThrow(new RegExp(`^${missing}: cannot read the file: ENOENT`));
    const junk = join(dir, 'junk.axon');
    writeFileSync(junk, 'hello world');
    await expect(load(junk)).rejects.toThrow(
      `${junk}: not an Axon model file (it does not start with the magic bytes "AXON")`,
    );
    const noDir = join(dir, 'no', 'such', 'dir', 'm.axon');
    await expect(save(new Probe(1), noDir)).rejects.toThrow(
      new RegExp(`^${noDir}: cannot save the model: ENOENT`),
    );
    await expect(save(new Unregistered(), join(dir, 'u.axon'))).rejects.toThrow(
      `${join(dir, 'u.axon')}: cannot save the model: Unregistered is not a registered layer`,
    );
    expect(readdirSync(dir).some((f) => f.startsWith('u.axon'))).toBe(false);
  });
});
