import type { Tensor } from '@axon/tensor';
import { ValueError } from '@axon/tensor';
import { type AnyModule, type LayerConfig, Module } from './module';
import { fromSpec, type LayerSpec, registerLayer, specOf } from './registry';

/**
 * The error `child` (the i-th layer) threw, with its message prefixed by
 * `Sequential[i] (ClassName): `, of the same class (a ShapeError stays a ShapeError, with its own
 * fields) and with the original as `cause`. Anything that is not an Error is passed on as is.
 */
function childError(e: unknown, i: number, child: AnyModule): unknown {
  if (!(e instanceof Error)) return e;
  const prefix = `Sequential[${i}] (${child.constructor.name}): `;
  // Made from the original's prototype rather than its constructor, whose arguments are unknown.
  const wrapped = Object.create(Object.getPrototypeOf(e)) as Error;
  Object.assign(wrapped, e);
  const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(wrapped, 'message', hidden(prefix + e.message));
  Object.defineProperty(wrapped, 'cause', hidden(e));
  const frames = typeof e.stack === 'string' ? e.stack.split('\n').slice(1) : [];
  Object.defineProperty(wrapped, 'stack', hidden([`${e.name}: ${wrapped.message}`, ...frames].join('\n')));
  return wrapped;
}

/**
 * Runs its layers in order, each on the previous one's output. Children are named '0', '1', ...
 * An error thrown by a layer's forward names the layer: its message starts with
 * `Sequential[i] (ClassName): `, its class is kept and the original is its `cause`.
 */
export class Sequential extends Module {
  readonly layers: AnyModule[];

  constructor(...layers: AnyModule[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new ValueError(`Sequential: argument ${i} is not a Module`);
      this.addModule(String(i), layer);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const [i, layer] of this.layers.entries()) {
      try {
        y = layer.forward(y);
      } catch (e) {
        throw childError(e, i, layer);
      }
    }
    return y;
  }

  override config(): LayerConfig {
    return { layers: this.layers.map(specOf) };
  }

  static fromConfig(config: LayerConfig): Sequential {
    return new Sequential(...(config.layers as LayerSpec[]).map(fromSpec));
  }
}

registerLayer('Sequential', Sequential);
