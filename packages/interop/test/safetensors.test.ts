import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNorm1d, Linear, ModelFileError, Module, registerLayer, Sequential } from '@axon/layers';
import { DTypeError, mul, ShapeError, type Tensor, tensor, ValueError } from '@axon/tensor';
import { expectClose } from '@axon/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fromSafetensors,
  fromTorchStateDict,
  loadSafetensors,
  loadTorchSafetensors,
  registerTorchNames,
  saveSafetensors,
  saveTorchSafetensors,
  toSafetensors,
  toTorchStateDict,
} from '../src';

const dir = mkdtempSync(join(tmpdir(), 'axon-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of one tensor written by hand: header JSON and raw bytes. */
function handMade(header: object, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips every Axon dtype, shapes and metadata, 8-byte aligned', () => {
    const tensors = {
      w: tensor([
        [1.5, -2],
        [3, 4.25],
      ]),
      d: tensor([1e-300, 2], { dtype: 'float64' }),
      i: tensor([-7, 2147483647], { dtype: 'int32' }),
      b: tensor([true, false, true]),
      s: tensor(3.5),
    };
    const bytes = toSafetensors(tensors, { format: 'pt' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = fromSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].dtype).toBe(t.dtype);
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name].dataSync())).toEqual(Array.from(t.dataSync()));
    }
  });

  it("reads PyTorch's other dtypes: F16, BF16 and I64 (into float32 and int32)", () => {
    const half = new Uint16Array([0x3c00, 0xc000, 0x3555]); // 1, -2, 0.333
    const bf16 = new Uint16Array([0x3f80, 0x4049]); // 1, 3.140625
    const i64 = new BigInt64Array([-5n, 1n << 20n]);
    const data = new Uint8Array([
      ...new Uint8Array(half.buffer),
      ...new Uint8Array(bf16.buffer),
      ...new Uint8Array(i64.buffer),
    ]);
    const { tensors } = fromSafetensors(
      handMade(
        {
          h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
          l: { dtype: 'I64', shape: [2], data_offsets: [10, 26] },
        },
        data,
      ),
    );
    expectClose(tensors.h, [1, -2, 0.33325195], { atol: 1e-7 });
    expectClose(tensors.b, [1, 3.140625]);
    expect(tensors.l.dtype).toBe('int32');
    expect(Array.from(tensors.l.dataSync())).toEqual([-5, 1 << 20]);
  });

  it('refuses bad files with the file, the tensor and what is wrong', () => {
    const bad = (bytes: Uint8Array, ...parts: string[]) => {
      let caught: unknown;
      try {
        fromSafetensors(bytes, 'm.safetensors');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ModelFileError);
      for (const p of parts) expect((caught as Error).message).toContain(p);
    };
    const good = toSafetensors({ w: tensor([1, 2, 3]) });
    bad(good.subarray(0, 5), 'm.safetensors: too short');
    bad(good.subarray(0, 20), 'header length');
    bad(
      handMade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      "'w' F32 [2] needs 8 bytes",
    );
    bad(
      handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(4)),
      "'w'",
      'outside the 4 data bytes',
    );
    bad(
      handMade({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      '\'w\' has dtype "C64"',
    );
    bad(
      handMade({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      "'w' has shape [-1]",
    );
    const big = new BigInt64Array([1n << 40n]);
    bad(
      handMade({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(big.buffer)),
      "'n' I64 holds",
      'outside int32',
    );
    const notJson = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 123, 123, 0, 0]);
    bad(notJson, 'the header is not JSON');
  });

  it('saves atomically and loads from a file', async () => {
    const path = join(dir, 'weights.safetensors');
    await saveSafetensors(path, { a: tensor([1, 2]) });
    await saveSafetensors(path, { a: tensor([3, 4]) });
    expect(Array.from((await loadSafetensors(path)).tensors.a.dataSync())).toEqual([3, 4]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    await expect(loadSafetensors(join(dir, 'missing.safetensors'))).rejects.toThrow(
      /loadSafetensors: cannot read .*missing/,
    );
  });
});

describe('PyTorch state dicts', () => {
  const model = () => new Sequential(new Linear(3, 2), new BatchNorm1d(2));

  it('round-trips a model through a torch-named safetensors file', async () => {
    const a = model();
    const path = join(dir, 'model.safetensors');
    await saveTorchSafetensors(path, a);
    const b = model();
    await loadTorchSafetensors(b, path);
    for (const [name, t] of Object.entries(toTorchStateDict(a))) {
      expect(Array.from(toTorchStateDict(b)[name].dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect((await loadSafetensors(path)).metadata.format).toBe('pt');
  });

  it('casts float widths and reads int64 batch counts; refuses wrong names, shapes and kinds', () => {
    const m = model();
    const state = Object.fromEntries(
      Object.entries(toTorchStateDict(m)).map(([k, t]) => [
        k,
        k.endsWith('num_batches_tracked')
          ? tensor(5, { dtype: 'int32' })
          : tensor(Array.from(t.dataSync()), { dtype: 'float64', shape: t.shape }),
      ]),
    );
    fromTorchStateDict(m, state);
    expect(m.stateDict()['0.weight'].dtype).toBe('float32');
    expect(m.stateDict()['1.num_batches_tracked'].item()).toBe(5);

    const { '0.bias': _, ...noBias } = state;
    expect(() => fromTorchStateDict(m, noBias, { source: 'w.safetensors' })).toThrow(
      /fromTorchStateDict \(w.safetensors\): the names do not match Sequential's \(missing: 0.bias\)/,
    );
    expect(() => fromTorchStateDict(m, { ...state, extra: tensor([1]) })).toThrow(ValueError);
    expect(() => fromTorchStateDict(m, { ...state, extra: tensor([1]) }, { strict: false })).not.toThrow();
    expect(() => fromTorchStateDict(m, { ...state, '0.weight': tensor([1, 2]) })).toThrow(ShapeError);
    expect(() => fromTorchStateDict(m, { ...state, '0.weight': tensor([1, 2]) })).toThrow(
      "'0.weight' has shape [2], the model expects [2, 3]",
    );
    expect(() => fromTorchStateDict(m, { ...state, '0.bias': tensor([1, 2], { dtype: 'int32' }) })).toThrow(
      DTypeError,
    );
  });

  it('maps the names a layer registers with registerTorchNames, both ways', () => {
    class Scale extends Module {
      readonly gain = this.addParameter('gain', tensor([2, 3]));
      forward(x: Tensor): Tensor {
        return mul(x, this.gain);
      }
      static fromConfig(): Scale {
        return new Scale();
      }
    }
    registerLayer('InteropTestScale', Scale);
    registerTorchNames('InteropTestScale', { gain: 'weight' });
    const m = new Sequential(new Scale(), new Linear(2, 1));
    expect(Object.keys(toTorchStateDict(m)).sort()).toEqual(['0.weight', '1.bias', '1.weight']);
    fromTorchStateDict(m, { ...toTorchStateDict(m), '0.weight': tensor([5, 7]) });
    expect(Array.from((m.layers[0] as Scale).gain.dataSync())).toEqual([5, 7]);
  });

  it('names the file when its tensors do not fit the model', async () => {
    const path = join(dir, 'other.safetensors');
    writeFileSync(path, toSafetensors({ '0.weight': tensor([1]) }));
    await expect(loadTorchSafetensors(model(), path)).rejects.toThrow(`fromTorchStateDict (${path})`);
  });
});
