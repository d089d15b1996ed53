import { add, dispose, keep, memory, ones, reshape, tensor, tidy, ValueError } from '@axon/tensor';
import { settleAfterGC } from '@axon/testing';
import { describe, expect, it } from 'vitest';

describe('memory', () => {
  it('tidy frees what it created and keeps what it returns', () => {
    const before = memory().numTensors;
    const kept = tidy(() => {
      const a = ones([100]);
      const b = add(a, 1);
      return { b, scalarOut: [b.sum()] };
    });
    expect(memory().numTensors).toBe(before + 2);
    dispose(kept);
    expect(memory().numTensors).toBe(before);
  });

  it('nested tidy returns results to the outer scope', () => {
    const before = memory().numTensors;
    tidy(() => {
      const inner = tidy(() => ones([3]).mul(2));
      expect(inner.isDisposed).toBe(false);
      return undefined;
    });
    expect(memory().numTensors).toBe(before);
  });

  it('keep survives tidy; composite ops free their temporaries', () => {
    const before = memory();
    const k = tidy(() => keep(ones([4]).mul(3)));
    expect(k.isDisposed).toBe(false);
    // logsumexp builds several intermediates; only its result may remain.
    const y = k.logsumexp();
    expect(memory().numTensors).toBe(before.numTensors + 2);
    dispose([k, y]);
    expect(memory()).toEqual(before);
  });

  it('views share a buffer until the last handle goes', () => {
    const before = memory();
    const a = tensor([1, 2, 3, 4]);
    const v = reshape(a, [2, 2]);
    expect(memory().backends.cpu.numBuffers).toBe(before.backends.cpu.numBuffers + 1);
    a.dispose();
    expect(v.dataSync()).toEqual(new Float32Array([1, 2, 3, 4]));
    v.dispose();
    expect(memory()).toEqual(before);
  });

  it('using a disposed tensor is an error naming the op', () => {
    const a = tensor([1]);
    a.dispose();
    expect(() => a.add(1)).toThrow(ValueError);
    expect(() => a.add(1)).toThrow(/^add: tensor #\d+ \[1\] was disposed/);
    expect(() => a.dataSync()).toThrow(/dataSync/);
  });

  it('counts bytes per dtype', () => {
    const before = memory().numBytes;
    const t = ones([10], 'float64');
    expect(memory().numBytes - before).toBe(80);
    t.dispose();
  });
});

describe('assign', () => {
  it('replaces the data in place, keeping the handle, and frees the old buffer', async () => {
    const { assign, ShapeError, DTypeError } = await import('@axon/tensor');
    const before = memory();
    const p = tensor([1, 2, 3]);
    const id = p.id;
    const v = p.mul(10);
    assign(p, v);
    v.dispose();
    expect(p.id).toBe(id);
    expect(Array.from(p.dataSync())).toEqual([10, 20, 30]);
    expect(memory().backends.cpu.numBuffers).toBe(before.backends.cpu.numBuffers + 1);
    expect(() => tidy(() => assign(p, tensor([1, 2])))).toThrow(ShapeError);
    expect(() => tidy(() => assign(p, tensor([1, 2, 3], 'int32')))).toThrow(DTypeError);
    p.dispose();
    expect(memory().numTensors).toBe(before.numTensors);
  });
});

describe('tensors the garbage collector releases', () => {
  it('tensors that outlive every tidy scope are still released when unreachable', async () => {
    // Inside a scope nothing is watched by the garbage collector (tidy frees it); what escapes the
    // outermost scope, returned or kept, must be watched from then on.
    const live = () => settleAfterGC(() => memory().numTensors);
    const before = await live();
    for (let i = 0; i < 200; i++) {
      tidy(() => ones([64]).add(1)); // returned from the outermost scope, then dropped
      tidy(() => {
        keep(ones([64]).mul(2)); // kept, then dropped
      });
    }
    expect(await live()).toBeLessThanOrEqual(before + 2);
  });
});
