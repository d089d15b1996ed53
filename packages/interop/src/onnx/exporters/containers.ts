/** Sequential: each child's export on the previous one's output. */
import type { Sequential } from '@axon/layers';
import type { LayerExporter, Traced } from '../registry';

export const containerExporters: Record<string, LayerExporter> = {
  Sequential: (m: Sequential, inputs, ctx) => {
    let values: readonly Traced[] = inputs;
    m.layers.forEach((layer, i) => {
      values = [ctx.single(ctx.child(layer, String(i), values))];
    });
    return values[0];
  },
};
