/**
 * Layers that only reshape or pass values on: Flatten and Reshape (Reshape nodes that copy the
 * batch dim, so any batch size runs), and Dropout, the identity at inference.
 */
import type { AnyModule, Flatten, Reshape } from '@axon/layers';
import type { LayerExporter } from '../registry';
import { reshapeNode } from './util';

export const shapeExporters: Record<string, LayerExporter> = {
  // Dims before startDim are copied (0), the merged ones inferred (-1), the ones after endDim kept.
  Flatten: (m: Flatten, [x], ctx) => {
    const sample = m.forward(x.sample);
    const rank = Math.max(x.sample.rank, 1);
    const start = m.startDim < 0 ? m.startDim + rank : m.startDim;
    const end = m.endDim < 0 ? m.endDim + rank : m.endDim;
    const shape = [...new Array(start).fill(0), -1, ...x.sample.shape.slice(end + 1)];
    return { name: reshapeNode(ctx, x.name, shape), sample };
  },
  Reshape: (m: Reshape, [x], ctx) => ({
    name: reshapeNode(ctx, x.name, [0, ...m.shape]),
    sample: m.forward(x.sample),
  }),
  Dropout: (m: AnyModule, [x], ctx) => ({
    name: ctx.node('Identity', [x.name]),
    sample: m.forward(x.sample),
  }),
};
