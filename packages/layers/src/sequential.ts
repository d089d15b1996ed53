import type { Tensor } from '@axon/tensor';
import { ValueError } from '@axon/tensor';
import { type LayerConfig, Module } from './module';
import { fromSpec, type LayerSpec, registerLayer, specOf } from './registry';

/** Runs its layers in order, each on the previous one's output. Children are named '0', '1', ... */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new ValueError(`Sequential: argument ${i} is not a Module`);
      this.addModule(String(i), layer);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = (layer as unknown as { forward(t: Tensor): Tensor }).forward(y);
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
