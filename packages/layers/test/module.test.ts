import {
  fromSpec,
  type LayerConfig,
  layerNameOf,
  Module,
  registerLayer,
  Sequential,
  specOf,
} from '@axon/layers';
import { DTypeError, memory, ShapeError, type Tensor, tensor, tidy, ValueError, zeros } from '@axon/tensor';
import { describe, expect, it } from 'vitest';

/** y = x * scale + shift, with a running counter buffer: enough to exercise every Module feature. */
class Affine extends Module {
  readonly scale: Tensor;
  readonly shift: Tensor;
  readonly count: Tensor;
  constructor(readonly size: number) {
    super();
    this.scale = this.addParameter('scale', tensor(Array.from({ length: size }, (_, i) => i + 1)));
    this.shift = this.addParameter('shift', zeros([size]));
    this.count = this.addBuffer('count', zeros([1]));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.scale).add(this.shift);
  }
  override config(): LayerConfig {
    return { size: this.size };
  }
  static fromConfig(c: LayerConfig): Affine {
    return new Affine(c.size as number);
  }
}
registerLayer('TestAffine', Affine);

class Pair extends Module {
  readonly a = this.addModule('a', new Affine(2));
  readonly b = this.addModule('b', new Sequential(new Affine(2), new Affine(2)));
  forward(x: Tensor): Tensor {
    return this.b.forward(this.a.forward(x));
  }
}

describe('Module', () => {
  it('names parameters and buffers with dotted paths, depth first', () => {
    const m = new Pair();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'a.scale',
      'a.shift',
      'b.0.scale',
      'b.0.shift',
      'b.1.scale',
      'b.1.shift',
    ]);
    expect(Object.keys(m.stateDict())).toEqual([
      ...m.namedParameters().map(([n]) => n),
      'a.count',
      'b.0.count',
      'b.1.count',
    ]);
    expect(m.numParameters()).toBe(12);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    m.dispose();
  });

  it('train() and eval() reach every descendant', () => {
    const m = new Pair();
    m.eval();
    expect(m.namedModules().every(([, x]) => !x.training)).toBe(true);
    m.train();
    expect(m.namedModules().every(([, x]) => x.training)).toBe(true);
    m.dispose();
  });

  it('loadStateDict copies in place and keeps the parameter handles', () => {
    const src = new Affine(3);
    const dst = new Affine(3);
    const handle = dst.scale;
    src.loadStateDict({ ...src.stateDict(), scale: tensor([7, 8, 9]) });
    dst.loadStateDict(src.stateDict());
    expect(dst.scale).toBe(handle);
    expect(Array.from(dst.scale.dataSync())).toEqual([7, 8, 9]);
    src.dispose();
    dst.dispose();
  });

  it('is strict about names, shapes and dtypes, naming the offender', () => {
    const m = new Affine(2);
    const sd = m.stateDict();
    expect(() => m.loadStateDict({ scale: sd.scale, shift: sd.shift })).toThrow(
      'loadStateDict: Affine state does not match (missing keys: count)',
    );
    expect(() => m.loadStateDict({ ...sd, extra: sd.scale })).toThrow('unexpected keys: extra');
    expect(() => m.loadStateDict({ ...sd, scale: tensor([1, 2, 3]) })).toThrow(ShapeError);
    expect(() => m.loadStateDict({ ...sd, scale: tensor([1, 2, 3]) })).toThrow(
      "loadStateDict: 'scale' has shape [3] in the state dict but [2] in the model",
    );
    expect(() => m.loadStateDict({ ...sd, scale: tensor([1, 2], 'int32') })).toThrow(DTypeError);
    m.loadStateDict({ scale: tensor([5, 6]) }, { strict: false });
    expect(Array.from(m.scale.dataSync())).toEqual([5, 6]);
    m.dispose();
  });

  it('refuses duplicate or dotted names', () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.addParameter('w', zeros([1]));
        this.addParameter(name, zeros([1]));
      }
      forward(x: Tensor) {
        return x;
      }
    }
    expect(() => new Bad('w')).toThrow(ValueError);
    expect(() => new Bad('a.b')).toThrow("Module: invalid name 'a.b'");
  });

  it('round-trips through its spec with the registry, and dispose frees everything', () => {
    const before = memory().numTensors;
    const seq = new Sequential(new Affine(2), new Affine(2));
    expect(layerNameOf(seq)).toBe('Sequential');
    const spec = specOf(seq);
    expect(JSON.parse(JSON.stringify(spec))).toEqual({
      type: 'Sequential',
      config: {
        layers: [
          { type: 'TestAffine', config: { size: 2 } },
          { type: 'TestAffine', config: { size: 2 } },
        ],
      },
    });
    const copy = fromSpec(spec) as Sequential;
    expect(copy.layers.length).toBe(2);
    // Intermediates outside a tidy live until disposed (and hold their autograd graph), so run the
    // forward pass in one.
    const values = tidy(() => Array.from(copy.forward(tensor([1, 1])).dataSync()));
    expect(values).toEqual([1, 4]);
    expect(() => fromSpec({ type: 'Nope', config: {} })).toThrow("unknown layer 'Nope'");
    seq.dispose();
    copy.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
